"""Tiny random encoders with word-level tokenizers, saved as Hugging Face folders, for training
tests that must run in seconds."""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

# Special tokens in id order, then how a sentence is wrapped, per architecture.
_SPECIALS = {
    "mpnet": ("<s>", "<pad>", "</s>", "[UNK]"),
    "bert": ("[PAD]", "[UNK]", "[CLS]", "[SEP]"),
}


def word_tokenizer(texts: list[str], kind: str) -> Tokenizer:
    """A lower-cased word-level tokenizer over ``texts``' words, wrapped as ``kind`` wraps."""
    pre = pre_tokenizers.BertPreTokenizer()
    words = sorted({w for t in texts for w, _ in pre.pre_tokenize_str(t.lower())})
    specials = _SPECIALS[kind]
    vocab = {token: i for i, token in enumerate(specials)}
    vocab.update({w: i + len(specials) for i, w in enumerate(words)})
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre
    if kind == "mpnet":
        tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    else:
        tok.post_processor = processors.BertProcessing(("[SEP]", 3), ("[CLS]", 2))
    return tok


def tiny_encoder(folder: Path, texts: list[str], kind: str, layers: int) -> Path:
    """A random ``kind`` encoder (hidden 32, ``layers`` layers) and its tokenizer in ``folder``
    (config.json, model.safetensors, tokenizer.json)."""
    tok = word_tokenizer(texts, kind)
    size = tok.get_vocab_size()
    shape = dict(hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                 intermediate_size=64)  # fmt: skip
    torch.manual_seed(0)
    if kind == "mpnet":
        config = transformers.MPNetConfig(vocab_size=size, max_position_embeddings=80, **shape)
        model = transformers.MPNetModel(config, add_pooling_layer=False)
    else:
        config = transformers.BertConfig(vocab_size=size, max_position_embeddings=64, **shape)
        model = transformers.BertModel(config, add_pooling_layer=False)
    model.save_pretrained(folder)
    tok.save(str(folder / "tokenizer.json"))
    return folder
