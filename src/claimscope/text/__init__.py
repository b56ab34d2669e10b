"""Text structure: paragraphs, headings, quotations, embedded posts and sentences, as offsets."""

from claimscope.text.links import find_handles, find_links
from claimscope.text.quotes import find_quotes
from claimscope.text.segments import segment_text
from claimscope.text.sentences import split_sentences

__all__ = ["find_handles", "find_links", "find_quotes", "segment_text", "split_sentences"]
