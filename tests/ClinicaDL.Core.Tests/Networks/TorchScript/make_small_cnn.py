"""Writes a small 3D CNN as TorchScript (torch.jit.save), for TorchScriptNetworkTests.

Usage: /usr/bin/python3 make_small_cnn.py <output.pt> [file-format-version]
(Debian 12's python3-torch 1.13, which writes file format version 3.) With a version, the archive's version
record is rewritten to it, to see which versions libtorch reads.
"""
import sys
import zipfile

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
output = sys.argv[1]
if len(sys.argv) == 2:
    torch.jit.save(torch.jit.script(SmallCnn()), output)
else:
    saved = output + ".original"
    torch.jit.save(torch.jit.script(SmallCnn()), saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, (sys.argv[2] + "\n").encode() if info.filename.endswith("/version") else data)
print(torch.__version__)
