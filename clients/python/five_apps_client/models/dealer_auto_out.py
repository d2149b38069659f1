from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DealerAutoOut")


@_attrs_define
class DealerAutoOut:
    """An auto in stock.

    Example:
        {'distance': 400, 'handler': 'Auto Motors', 'mark': 'Model S', 'max_speed': 280, 'stock': 'Germany'}

    Attributes:
        distance (int):
        handler (str):
        mark (str):
        max_speed (int):
        stock (str):
    """

    distance: int
    handler: str
    mark: str
    max_speed: int
    stock: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        distance = self.distance

        handler = self.handler

        mark = self.mark

        max_speed = self.max_speed

        stock = self.stock

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "distance": distance,
                "handler": handler,
                "mark": mark,
                "max_speed": max_speed,
                "stock": stock,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        distance = d.pop("distance")

        handler = d.pop("handler")

        mark = d.pop("mark")

        max_speed = d.pop("max_speed")

        stock = d.pop("stock")

        dealer_auto_out = cls(
            distance=distance,
            handler=handler,
            mark=mark,
            max_speed=max_speed,
            stock=stock,
        )

        dealer_auto_out.additional_properties = d
        return dealer_auto_out

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
