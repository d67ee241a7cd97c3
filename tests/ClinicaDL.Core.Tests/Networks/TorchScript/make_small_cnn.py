"""Writes a small 3D CNN as TorchScript (torch.jit.save), for NetworkFileTests' TorchScript tests.

Usage: /usr/bin/python3 make_small_cnn.py <output.pt>   (Debian 12's python3-torch 1.13)
"""
import sys

import torch
from torch import nn


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(), nn.AdaptiveAvgPool3d(2))
        self.fc = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(32, 2))

    def forward(self, x):
        return self.fc(self.features(x))


torch.manual_seed(0)
torch.jit.save(torch.jit.script(SmallCnn()), sys.argv[1])
print(torch.__version__)
