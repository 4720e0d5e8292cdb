"""``DataFolder``: the folders Data Extensions sit in, read from the store's folder table.

docs/fidelity.md#object-folders: folders carry ``ID``, ``CustomerKey``, ``Name``,
``ContentType``, ``ParentFolder.ID`` (0 for a root), ``IsActive``, ``IsEditable``,
``AllowChildren`` and ``Client.ID`` (CAP). The tree is the default one (ids assumed:
:data:`emulator.assumptions.DEFAULT_FOLDERS`) plus the fixtures' ``folders.json`` and the
folders pages create (docs/fidelity.md#object-folder-create).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import assumptions
from emulator.fixtures.records import RecordRefused
from emulator.folders import data
from emulator.folders.model import check_folder
from emulator.objects.errors import RequestRefused
from emulator.objects.model import REGISTRY, ItemResult, ObjectType, Property, Row
from emulator.store.store import Store
from emulator.units.owners import owner_of


class DataFolderType(ObjectType):
    """``DataFolder``: retrieve, and create under a folder that allows children."""

    name = "DataFolder"
    properties = (
        Property("ID", "Number"), Property("CustomerKey"), Property("Name"),
        Property("Description"), Property("ContentType"), Property("ParentFolder.ID", "Number"),
        Property("ParentFolder.Name"), Property("ParentFolder.CustomerKey"),
        Property("IsActive", "Boolean"), Property("IsEditable", "Boolean"),
        Property("AllowChildren", "Boolean"), Property("ObjectID"),
        Property("Client.ID", "Number"),
    )
    creatable = updatable = deletable = True
    unit_owned = True

    def rows(self, store: Store) -> Iterable[Row]:
        records = data.folders(store)
        by_id = {folder["ID"]: folder for folder in records}
        owner = owner_of(store, self.name)
        for folder in records:
            row = _folder_row(folder, by_id.get(folder["ParentID"]))
            row["Client.ID"] = owner(folder["CustomerKey"])
            yield row

    def check(self, verb: str, item: Mapping[str, Any]) -> None:
        parent = item.get("ParentFolder")
        if verb == "create" and parent is not None and not isinstance(parent, Mapping):
            raise RequestRefused(verb, "ParentFolder is an object such as {ID: 1001}")

    def create(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        records = data.folders(store)
        parent_id = (item.get("ParentFolder") or {}).get("ID")
        parent = next((f for f in records if f["ID"] == parent_id), None)
        if parent is None:
            return ItemResult(False, assumptions.OBJECT_FOLDER_NO_PARENT.format(id=parent_id))
        if not parent["AllowChildren"]:
            return ItemResult(False, assumptions.OBJECT_FOLDER_NO_CHILDREN.format(
                name=parent["Name"]))
        new_id = max(f["ID"] for f in records) + 1
        raw = {"ID": new_id, "ParentID": parent["ID"],
               "ContentType": item.get("ContentType", parent["ContentType"]),
               **{name: item[name] for name in ("Name", "CustomerKey", "Description",
                                                "AllowChildren") if name in item}}
        try:
            record = check_folder(raw)
        except RecordRefused as refused:
            return ItemResult(False, refused.message)
        if any(f["CustomerKey"] == record["CustomerKey"] for f in records):
            return ItemResult(False, assumptions.OBJECT_FOLDER_KEY_USED.format(
                key=record["CustomerKey"]))
        if any(f["ParentID"] == parent["ID"] and f["Name"].casefold() == record["Name"].casefold()
               for f in records):
            return ItemResult(False, assumptions.OBJECT_FOLDER_NAME_USED.format(
                name=record["Name"]))
        data.add(store, record)
        return ItemResult(True, assumptions.OBJECT_FOLDER_CREATED,
                          {**item, "ID": new_id, "CustomerKey": record["CustomerKey"],
                           "ObjectID": record["ObjectID"]})

    def update(self, store: Store, item: Mapping[str, Any],
               options: Mapping[str, Any]) -> ItemResult:
        """Change a folder's Name or Description (docs/fidelity.md#core-list-folder-writes)."""
        records = data.folders(store)
        found = _editable(records, item.get("CustomerKey"))
        if isinstance(found, ItemResult):
            return found
        others = [name for name in item if name not in ("CustomerKey", "Name", "Description")]
        if others:
            return ItemResult(False, assumptions.OBJECT_FOLDER_CHANGES.format(
                names=", ".join(others)))
        try:
            record = check_folder({**{k: v for k, v in found.items()
                                      if k not in ("IsEditable", "ObjectID")},
                                   **{k: item[k] for k in ("Name", "Description") if k in item}})
        except RecordRefused as refused:
            return ItemResult(False, refused.message)
        if any(f is not found and f["ParentID"] == found["ParentID"]
               and f["Name"].casefold() == record["Name"].casefold() for f in records):
            return ItemResult(False, assumptions.OBJECT_FOLDER_NAME_USED.format(
                name=record["Name"]))
        data.replace(store, [{**f, "Name": record["Name"], "Description": record["Description"]}
                             if f is found else f for f in records])
        return ItemResult(True, assumptions.OBJECT_FOLDER_UPDATED, dict(item))

    def delete(self, store: Store, item: Mapping[str, Any]) -> ItemResult:
        """Delete an empty folder (docs/fidelity.md#core-list-folder-writes)."""
        records = data.folders(store)
        found = _editable(records, item.get("CustomerKey"))
        if isinstance(found, ItemResult):
            return found
        if found["DataExtensions"] or any(f["ParentID"] == found["ID"] for f in records):
            return ItemResult(False, assumptions.OBJECT_FOLDER_NOT_EMPTY.format(
                name=found["Name"]))
        data.replace(store, [f for f in records if f is not found])
        return ItemResult(True, assumptions.OBJECT_FOLDER_DELETED)


def _editable(records: list[dict[str, Any]], key: Any) -> dict[str, Any] | ItemResult:
    """Return the folder ``key`` names, or the failed item when it is missing or built in."""
    found = next((f for f in records if f["CustomerKey"] == key), None)
    if found is None:
        return ItemResult(False, assumptions.OBJECT_FOLDER_NOT_FOUND.format(key=key))
    if not found["IsEditable"]:
        return ItemResult(False, assumptions.OBJECT_FOLDER_FIXED.format(name=found["Name"]))
    return found


def _folder_row(folder: Mapping[str, Any], parent: Mapping[str, Any] | None) -> Row:
    return {"ID": folder["ID"], "CustomerKey": folder["CustomerKey"], "Name": folder["Name"],
            "Description": folder["Description"], "ContentType": folder["ContentType"],
            "ParentFolder.ID": folder["ParentID"],
            "ParentFolder.Name": parent["Name"] if parent else "",
            "ParentFolder.CustomerKey": parent["CustomerKey"] if parent else "",
            "IsActive": True, "IsEditable": folder["IsEditable"],
            "AllowChildren": folder["AllowChildren"], "ObjectID": folder["ObjectID"]}


REGISTRY.register(DataFolderType())
