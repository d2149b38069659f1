from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShopProductOut")


@_attrs_define
class ShopProductOut:
    """A product on sale.

    Example:
        {'description': '250 g, ground', 'id': 1, 'price': '10.00', 'title': 'Coffee'}

    Attributes:
        description (str):
        id (int):
        price (str): An exact amount as a string with exactly 2 decimal places
        title (str):
    """

    description: str
    id: int
    price: str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = self.id

        price = self.price

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "price": price,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = d.pop("id")

        price = d.pop("price")

        title = d.pop("title")

        shop_product_out = cls(
            description=description,
            id=id,
            price=price,
            title=title,
        )

        shop_product_out.additional_properties = d
        return shop_product_out

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
