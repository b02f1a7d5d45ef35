from dayone.dialects.base import Dialect, dialect_for, dialect_for_product

__all__ = ["Dialect", "dialect_for", "dialect_for_product"]
