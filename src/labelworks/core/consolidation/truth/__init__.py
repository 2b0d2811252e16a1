"""Truth inference for categorical answers: majority vote, Dawid-Skene, one-coin DS, GLAD, MACE.

Plain-array functions over :class:`Encoded` answers (used by the benches and the CLI) and
:class:`~labelworks.core.consolidation.base.Consolidator` subclasses in ``consolidators``.
"""
