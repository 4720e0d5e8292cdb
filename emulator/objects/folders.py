"""``DataFolder``: the folders Data Extensions sit in.

docs/fidelity.md#object-folders: folders carry ``ID``, ``CustomerKey``, ``Name``,
``ContentType``, ``ParentFolder.ID`` (0 for a root), ``IsActive``, ``IsEditable``,
``AllowChildren`` and ``Client.ID`` (CAP). The emulator has the default tree only: a "Data
Extensions" root that holds every Data Extension, and "Shared Items" with "Shared Data
Extensions"; their ids are assumed (:data:`emulator.assumptions.DEFAULT_FOLDERS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import assumptions
from emulator.objects.model import REGISTRY, ObjectType, Property, Row
from emulator.store.store import Store


class DataFolderType(ObjectType):
    """``DataFolder`` (retrieve only)."""

    name = "DataFolder"
    properties = (
        Property("ID", "Number"), Property("CustomerKey"), Property("Name"),
        Property("Description"), Property("ContentType"), Property("ParentFolder.ID", "Number"),
        Property("ParentFolder.Name"), Property("IsActive", "Boolean"),
        Property("IsEditable", "Boolean"), Property("AllowChildren", "Boolean"),
        Property("ObjectID"), Property("Client.ID", "Number"),
    )

    def rows(self, store: Store) -> Iterable[Row]:
        names = {folder["ID"]: folder["Name"] for folder in assumptions.DEFAULT_FOLDERS}
        for folder in assumptions.DEFAULT_FOLDERS:
            yield _folder_row(folder, names)


def _folder_row(folder: Mapping[str, Any], names: Mapping[int, str]) -> Row:
    parent = folder["ParentID"]
    return {"ID": folder["ID"], "CustomerKey": folder["CustomerKey"], "Name": folder["Name"],
            "Description": "", "ContentType": folder["ContentType"],
            "ParentFolder.ID": parent, "ParentFolder.Name": names.get(parent, ""),
            "IsActive": True, "IsEditable": False, "AllowChildren": True,
            "ObjectID": folder["ObjectID"], "Client.ID": assumptions.DEFAULT_MID}


def data_extension_folder() -> int:
    """Return the id of the folder every Data Extension sits in."""
    return assumptions.DATA_EXTENSIONS_FOLDER_ID


REGISTRY.register(DataFolderType())
