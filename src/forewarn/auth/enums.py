"""Roles and what each may do."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    CLIENT = "client"

    @property
    def can_write(self) -> bool:
        return self is not Role.CLIENT

    @property
    def can_admin(self) -> bool:
        return self is Role.ADMIN
