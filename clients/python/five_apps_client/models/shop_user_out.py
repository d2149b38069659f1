from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.shop_bill_out import ShopBillOut


T = TypeVar("T", bound="ShopUserOut")


@_attrs_define
class ShopUserOut:
    """A user, as admins see them, with their bills.

    Example:
        {'bills': [{'balance': '100.00', 'id': 123456}], 'created_at': '2026-11-22T10:00:00Z', 'id': 2, 'is_active':
            True, 'is_admin': False, 'login': 'alice'}

    Attributes:
        bills (list[ShopBillOut]):
        created_at (datetime.datetime):
        id (int):
        is_active (bool): False until activated, and while disabled by an admin.
        is_admin (bool):
        login (str):
    """

    bills: list[ShopBillOut]
    created_at: datetime.datetime
    id: int
    is_active: bool
    is_admin: bool
    login: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bills = []
        for bills_item_data in self.bills:
            bills_item = bills_item_data.to_dict()
            bills.append(bills_item)

        created_at = self.created_at.isoformat()

        id = self.id

        is_active = self.is_active

        is_admin = self.is_admin

        login = self.login

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bills": bills,
                "created_at": created_at,
                "id": id,
                "is_active": is_active,
                "is_admin": is_admin,
                "login": login,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.shop_bill_out import ShopBillOut  # noqa: PLC0415

        d = dict(src_dict)
        bills = []
        _bills = d.pop("bills")
        for bills_item_data in _bills:
            bills_item = ShopBillOut.from_dict(bills_item_data)

            bills.append(bills_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        is_active = d.pop("is_active")

        is_admin = d.pop("is_admin")

        login = d.pop("login")

        shop_user_out = cls(
            bills=bills,
            created_at=created_at,
            id=id,
            is_active=is_active,
            is_admin=is_admin,
            login=login,
        )

        shop_user_out.additional_properties = d
        return shop_user_out

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
