"""Synthetic registry, population and truth files with realistic Vietnamese noise."""

from reconcile.synthetic.generate import GeneratedFiles, generate

__all__ = ["GeneratedFiles", "generate"]
