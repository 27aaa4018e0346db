"""Fast CommonMark block scanner (placeholder: delegates to markdown-it-py)."""

from waypost.notebook.blocks import Block, scan_with_markdown_it

__all__ = ["scan"]


def scan(text: str) -> list[Block]:
    return scan_with_markdown_it(text)
