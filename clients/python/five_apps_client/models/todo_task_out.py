from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TodoTaskOut")


@_attrs_define
class TodoTaskOut:
    """A task of the caller.

    Example:
        {'completed': False, 'created_at': '2026-11-22T10:00:00Z', 'description': '2 litres', 'id': 1, 'title': 'Buy
            milk', 'updated_at': '2026-11-22T10:00:00Z'}

    Attributes:
        completed (bool):
        created_at (datetime.datetime):
        id (int):
        title (str):
        updated_at (datetime.datetime):
        description (None | str | Unset):
    """

    completed: bool
    created_at: datetime.datetime
    id: int
    title: str
    updated_at: datetime.datetime
    description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        completed = self.completed

        created_at = self.created_at.isoformat()

        id = self.id

        title = self.title

        updated_at = self.updated_at.isoformat()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "completed": completed,
                "created_at": created_at,
                "id": id,
                "title": title,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        completed = d.pop("completed")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        todo_task_out = cls(
            completed=completed,
            created_at=created_at,
            id=id,
            title=title,
            updated_at=updated_at,
            description=description,
        )

        todo_task_out.additional_properties = d
        return todo_task_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
