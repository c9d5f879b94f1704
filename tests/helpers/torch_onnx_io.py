# Test and bench helper (Debian /usr/bin/python3 with python3-torch): export a
# PyTorch model to ONNX opset 13 with a dynamic batch axis (input "input",
# output "output"), and write the input batch and PyTorch's output for it as
# little-endian f32 files beside it: <name>.onnx, <name>.input.bin,
# <name>.output.bin in `out`. Used by tests/fixtures/onnx-families/make_families.py
# and bench/torchvision/export.py.
import os
import torch

OPSET = 13


def export_with_io(model, x, out, name):
    """Export `model` (in eval mode) run on `x`; returns PyTorch's output."""
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=OPSET,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    x.numpy().astype("<f4").tofile(os.path.join(out, name + ".input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(out, name + ".output.bin"))
    return y
