from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ShopProductIn")


@_attrs_define
class ShopProductIn:
    """A product to create, or the full new state of one (PUT).

    Example:
        {'description': '250 g, ground', 'price': 10, 'title': 'Coffee'}

    Attributes:
        price (float | str): An exact amount > 0 with at most 2 decimal places (at most 999999999999.99): a JSON number
            written in plain decimal (`100`, `100.5`), or a string holding one (`"100.50"`). It is read from its text, never
            through a float.
        title (str): 1-200 characters.
        description (str | Unset): Up to 10,000 characters; absent for none.
    """

    price: float | str
    title: str
    description: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        price: float | str
        price = self.price

        title = self.title

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "price": price,
                "title": title,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_price(data: object) -> float | str:
            return cast(float | str, data)

        price = _parse_price(d.pop("price"))

        title = d.pop("title")

        description = d.pop("description", UNSET)

        shop_product_in = cls(
            price=price,
            title=title,
            description=description,
        )

        shop_product_in.additional_properties = d
        return shop_product_in

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
