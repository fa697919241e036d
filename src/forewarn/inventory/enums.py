"""Kinds of assets an environment is made of."""

from enum import StrEnum


class AssetKind(StrEnum):
    HOST = "host"
    NETWORK_DEVICE = "network_device"
    SERVICE = "service"
    APPLICATION = "application"
    DATABASE = "database"
    WEBSITE = "website"
    CERTIFICATE = "certificate"
    BACKUP_JOB = "backup_job"
    LINK = "link"
    OTHER = "other"
