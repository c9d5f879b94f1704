# Exports torchvision's squeezenet1_1, mobilenet_v2, mobilenet_v3_small and resnet18 with seeded
# random weights (no download; Debian python3-torchvision) to ONNX opset 13,
# with one seeded 1×3×224×224 input and PyTorch's output for it, into
# bench/.cache/torchvision/. Run: /usr/bin/python3 bench/torchvision/export.py
import json, os, sys
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "helpers"))
from torch_onnx_io import export_with_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".cache", "torchvision")
os.makedirs(OUT, exist_ok=True)
index = {}
for name in ["squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small", "resnet18"]:
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    # random but realistic batchnorm statistics (fresh ones are 0/1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    y = export_with_io(model, torch.randn(1, 3, 224, 224), OUT, name)
    index[name] = {"params": sum(p.numel() for p in model.parameters()), "output": list(y.shape)}
with open(os.path.join(OUT, "index.json"), "w") as f:
    json.dump(index, f, indent=2)
