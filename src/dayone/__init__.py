"""dayone: get a new production database ready for analytics before it goes live."""

from dayone.api import read_catalog, snapshot
from dayone.catalog.model import Catalog
from dayone.connect.options import SessionOptions
from dayone.errors import ConnectError, DayoneError

__all__ = ["Catalog", "ConnectError", "DayoneError", "SessionOptions", "read_catalog", "snapshot"]
__version__ = "0.1.0"
