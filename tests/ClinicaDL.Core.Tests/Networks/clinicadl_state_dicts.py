# Writes clinicadl-state-dicts.json: the state-dict names and shapes of ClinicaDL 1.6.1's own networks, which the
# test NetworkStateDictTests compares with this module's networks (so that model.pth.tar files exchange).
# Made on 2026-11-28 with Debian 12's python3-torch 1.13.1 and python3-torchvision 0.14.1, from ClinicaDL's
# source at tag v1.6.1 (clinicadl/utils/network, with clinicadl/__init__.py and clinicadl/utils/__init__.py
# emptied so that only the networks are imported):
#     PYTHONPATH=<clinicadl source> /usr/bin/python3 clinicadl_state_dicts.py > clinicadl-state-dicts.json
# Absent because ClinicaDL 1.6.1 cannot build them: CAE_half ("cannot assign module before Module.__init__() call"),
# VanillaDenseVAE and VanillaSpatialVAE (VAE_Encoder is called with input_size, it takes input_shape; EncoderLayer2D
# gives Conv2d an output_padding) and Vanilla3DspacialVAE (IndexError: its decoder reads a fourth output padding
# from a list of three). Networks built for a size_reduction_factor get the factor of their input size.
import json, sys, torch
import torch.utils.model_zoo as model_zoo
import torchvision
# ClinicaDL's resnet18 downloads ImageNet weights into torchvision's ResNet; offline, the untrained ones stand in (names and shapes are what matter).
model_zoo.load_url = lambda url, *a, **k: torchvision.models.resnet18().state_dict()
import clinicadl.utils.network as N
specs = [
 ("Conv5_FC3", [1,57,70,60]), ("Conv4_FC3", [1,57,70,60]), ("Stride_Conv5_FC3", [1,57,70,60]),
 ("Conv5_FC3", [1,64,64]), ("Conv4_FC3", [1,64,64]), ("Stride_Conv5_FC3", [1,64,64]),
 ("Conv5_FC3_SSDA", [1,57,70,60]), ("Conv5_FC3_SSDA", [1,64,64]),
 ("resnet18", [3,64,64]), ("ResNet3D", [1,169,208,179]),
 ("AE_Conv5_FC3", [1,57,70,60]), ("AE_Conv4_FC3", [1,57,70,60]), ("AE_Conv5_FC3", [1,64,64]), ("CAE_half", [1,80,96,80]),
 ("SqueezeExcitationCNN", [1,169,208,179]),
 ("VanillaDenseVAE", [1,64,64]), ("VanillaSpatialVAE", [1,64,64]), ("Vanilla3DspacialVAE", [1,80,96,80]),
 ("Vanilla3DdenseVAE", [1,80,96,80]), ("Vanilla3DdenseVAE", [1,32,40,32]),
 ("CVAE_3D", [1,169,208,179]), ("CVAE_3D_half", [1,80,96,80]), ("CVAE_3D_half", [1,40,48,40]),
 ("CVAE_3D_final_conv", [1,56,64,56]), ("CVAE_3D_final_conv", [1,32,40,32]),
 ("GeneratorUNet", [1,128,128,128]),
]
reduction_factor = {80: 2, 56: 3, 40: 4, 32: 5}
out = []
for name, shape in specs:
    cls = getattr(N, name)
    args = cls.__init__.__code__.co_varnames[1:cls.__init__.__code__.co_argcount]
    kw = {}
    for a in args:
        kw[a] = {"input_size": shape, "output_size": 2, "dropout": 0.5, "gpu": False, "latent_space_size": 128, "feature_size": 1024, "n_conv": 4,
                 "io_layer_channels": 8, "recons_weight": 1, "kl_weight": 1, "size_reduction_factor": reduction_factor.get(shape[1])}[a]
    try:
        m = cls(**kw)
        sd = m.state_dict()
        out.append({"architecture": name, "input_size": shape, "state_dict": [[k, list(v.shape)] for k, v in sd.items()]})
        print(name, shape, len(sd), file=sys.stderr)
    except Exception as e:
        print("FAIL", name, shape, repr(e)[:300], file=sys.stderr)
json.dump(out, sys.stdout, indent=1)
