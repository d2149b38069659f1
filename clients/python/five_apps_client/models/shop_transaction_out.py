from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShopTransactionOut")


@_attrs_define
class ShopTransactionOut:
    """A credit to a bill (from the payment webhook).

    Example:
        {'amount': '100.00', 'created_at': '2026-11-22T10:00:00Z', 'id': 1, 'transaction_id': 1234567}

    Attributes:
        amount (str): An exact amount as a string with exactly 2 decimal places
        created_at (datetime.datetime):
        id (int):
        transaction_id (int): The payment service's id of the transaction.
    """

    amount: str
    created_at: datetime.datetime
    id: int
    transaction_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        created_at = self.created_at.isoformat()

        id = self.id

        transaction_id = self.transaction_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "created_at": created_at,
                "id": id,
                "transaction_id": transaction_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        transaction_id = d.pop("transaction_id")

        shop_transaction_out = cls(
            amount=amount,
            created_at=created_at,
            id=id,
            transaction_id=transaction_id,
        )

        shop_transaction_out.additional_properties = d
        return shop_transaction_out

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
