"""Recording the INSERT/UPDATE/DELETE statements a request sends to the database."""
from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)


class WriteLog(list):
    """The first line of each write statement sent while `recording` is true."""

    recording = False

    @contextmanager
    def during(self):
        """Record (after clearing) only while the block runs."""
        self.clear()
        self.recording = True
        try:
            yield self
        finally:
            self.recording = False


@contextmanager
def recording_writes(engine):
    """A WriteLog listening to every statement the engine executes."""
    log = WriteLog()

    def record(conn, cursor, statement, parameters, context, executemany):
        if log.recording and WRITE.match(statement):
            log.append(statement.split("\n")[0][:120])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
