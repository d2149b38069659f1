from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ShopWebhookIn")


@_attrs_define
class ShopWebhookIn:
    """A credit announced by the payment service.

    `signature` is the hex SHA-1 of
    `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
    exactly as written in this JSON (a string's content without its quotes).
    The example is signed with the key `test-payment-key`:
    `sha1("test-payment-key:1234567:1:1:100")` =
    `aa4f246f173820d0d3246214f96faa8fd966cacd`.

        Example:
            {'amount': 100, 'bill_id': 1, 'signature': 'aa4f246f173820d0d3246214f96faa8fd966cacd', 'transaction_id':
                1234567, 'user_id': 1}

        Attributes:
            amount (float | str): An exact amount > 0 with at most 2 decimal places (at most 999999999999.99): a JSON number
                written in plain decimal (`100`, `100.5`), or a string holding one (`"100.50"`). It is read from its text, never
                through a float.
            bill_id (int): The bill credited; created for the user if it does not exist (ids > 0).
            signature (str): Hex SHA-1 (40 characters) of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`.
            transaction_id (int): The payment service's unique id of this transaction: credited once.
            user_id (int): The user credited.
    """

    amount: float | str
    bill_id: int
    signature: str
    transaction_id: int
    user_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount: float | str
        amount = self.amount

        bill_id = self.bill_id

        signature = self.signature

        transaction_id = self.transaction_id

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "bill_id": bill_id,
                "signature": signature,
                "transaction_id": transaction_id,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_amount(data: object) -> float | str:
            return cast(float | str, data)

        amount = _parse_amount(d.pop("amount"))

        bill_id = d.pop("bill_id")

        signature = d.pop("signature")

        transaction_id = d.pop("transaction_id")

        user_id = d.pop("user_id")

        shop_webhook_in = cls(
            amount=amount,
            bill_id=bill_id,
            signature=signature,
            transaction_id=transaction_id,
            user_id=user_id,
        )

        shop_webhook_in.additional_properties = d
        return shop_webhook_in

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
