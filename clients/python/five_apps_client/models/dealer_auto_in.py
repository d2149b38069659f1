from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DealerAutoIn")


@_attrs_define
class DealerAutoIn:
    """An auto's data (its mark is in the path).

    Example:
        {'distance': 400, 'handler': 'Auto Motors', 'max_speed': 280, 'stock': 'Germany'}

    Attributes:
        distance (int): Range, 0 or more.
        handler (str): The maker, 1-200 characters.
        max_speed (int): Top speed, 0 or more.
        stock (str): Where it is kept, 1-200 characters.
    """

    distance: int
    handler: str
    max_speed: int
    stock: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        distance = self.distance

        handler = self.handler

        max_speed = self.max_speed

        stock = self.stock

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "distance": distance,
                "handler": handler,
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

        max_speed = d.pop("max_speed")

        stock = d.pop("stock")

        dealer_auto_in = cls(
            distance=distance,
            handler=handler,
            max_speed=max_speed,
            stock=stock,
        )

        dealer_auto_in.additional_properties = d
        return dealer_auto_in

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
