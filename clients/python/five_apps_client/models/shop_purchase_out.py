from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShopPurchaseOut")


@_attrs_define
class ShopPurchaseOut:
    """A recorded purchase and what is left on the bill.

    Example:
        {'balance': '90.00', 'bill_id': 123456, 'purchase_id': 1}

    Attributes:
        balance (str): An exact amount as a string with exactly 2 decimal places
        bill_id (int):
        purchase_id (int):
    """

    balance: str
    bill_id: int
    purchase_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balance = self.balance

        bill_id = self.bill_id

        purchase_id = self.purchase_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "balance": balance,
                "bill_id": bill_id,
                "purchase_id": purchase_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        balance = d.pop("balance")

        bill_id = d.pop("bill_id")

        purchase_id = d.pop("purchase_id")

        shop_purchase_out = cls(
            balance=balance,
            bill_id=bill_id,
            purchase_id=purchase_id,
        )

        shop_purchase_out.additional_properties = d
        return shop_purchase_out

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
