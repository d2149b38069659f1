from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExchangeTokenOut")


@_attrs_define
class ExchangeTokenOut:
    """A temporary token for the other /exchange routes.

    Example:
        {'expires_in': 3600, 'token': 'eyJhbGciOiJIUzI1NiJ9...', 'token_type': 'bearer'}

    Attributes:
        expires_in (int): Seconds until the token expires.
        token (str): Send it as `Authorization: Bearer <token>`, a `token` query parameter, or a `token` body field.
        token_type (str): Always `bearer`.
    """

    expires_in: int
    token: str
    token_type: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in = self.expires_in

        token = self.token

        token_type = self.token_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in": expires_in,
                "token": token,
                "token_type": token_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_in = d.pop("expires_in")

        token = d.pop("token")

        token_type = d.pop("token_type")

        exchange_token_out = cls(
            expires_in=expires_in,
            token=token,
            token_type=token_type,
        )

        exchange_token_out.additional_properties = d
        return exchange_token_out

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
