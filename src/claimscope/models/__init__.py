"""Models as data: a folder with ONNX weights, a tokenizer and a card, run with onnxruntime."""

from claimscope.models.folder import ModelFolder, model_path

__all__ = ["ModelFolder", "model_path"]
