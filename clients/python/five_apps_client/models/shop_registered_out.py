from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShopRegisteredOut")


@_attrs_define
class ShopRegisteredOut:
    """A registered, still inactive user's activation link.

    Example:
        {'activation_link': 'http://127.0.0.1:8080/shop/activate/3q2-7wAAAAB2ZXJ5LXNlY3JldC1jb2RlLWhlcmUtMDAw'}

    Attributes:
        activation_link (str): Follow it (GET) to activate the account; it works once.
    """

    activation_link: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        activation_link = self.activation_link

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "activation_link": activation_link,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        activation_link = d.pop("activation_link")

        shop_registered_out = cls(
            activation_link=activation_link,
        )

        shop_registered_out.additional_properties = d
        return shop_registered_out

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
