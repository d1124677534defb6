"""Thread-safe in-memory person registry.

This is a demo store: data lives in the memory of one process and is lost on
restart, and every process (every gunicorn worker, every Fargate task) has its
own copy. A real deployment would keep people in a database (for example
DynamoDB or RDS) shared by all tasks.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Person:
    """A registered person. Immutable, so it can be handed out without copying."""

    person: str
    firstname: str
    lastname: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


class DuplicatePersonError(Exception):
    """Raised when registering a person key that already exists."""


class PersonStore:
    """Maps person keys to :class:`Person` records; every operation holds a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._people: dict[str, Person] = {}

    def add(self, person: Person) -> None:
        with self._lock:
            if person.person in self._people:
                raise DuplicatePersonError(person.person)
            self._people[person.person] = person

    def get(self, key: str) -> Person | None:
        with self._lock:
            return self._people.get(key)

    def remove(self, key: str) -> bool:
        """Delete ``key``; return whether it existed."""
        with self._lock:
            return self._people.pop(key, None) is not None

    def list(self) -> list[Person]:
        """All people, sorted by person key."""
        with self._lock:
            return sorted(self._people.values(), key=lambda p: p.person)

    def __len__(self) -> int:
        with self._lock:
            return len(self._people)
