from dayone.connect.options import SessionOptions
from dayone.connect.session import Session
from dayone.connect.target import DatabaseTarget, SnapshotTarget, Target, parse_target

__all__ = ["DatabaseTarget", "Session", "SessionOptions", "SnapshotTarget", "Target", "parse_target"]
