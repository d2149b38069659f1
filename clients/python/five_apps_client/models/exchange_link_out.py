from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExchangeLinkOut")


@_attrs_define
class ExchangeLinkOut:
    """The confirmation link for the recipient.

    Example:
        {'link': 'https://api.example.com/exchange/get?transfer=3q2-7wE9bXJ0Y2hhbmdlLWxpbmstY29kZS1leGFtcGxl'}

    Attributes:
        link (str): Absolute; works once, for the recipient only, until it expires or a newer link replaces it.
    """

    link: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        link = self.link

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "link": link,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        link = d.pop("link")

        exchange_link_out = cls(
            link=link,
        )

        exchange_link_out.additional_properties = d
        return exchange_link_out

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
