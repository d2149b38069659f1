from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.exchange_item_out import ExchangeItemOut


T = TypeVar("T", bound="ExchangeReceivedOut")


@_attrs_define
class ExchangeReceivedOut:
    """A received item.

    Example:
        {'item': {'id': 1, 'name': 'Guitar'}, 'message': 'item received'}

    Attributes:
        item (ExchangeItemOut): An item of the caller. Example: {'id': 1, 'name': 'Guitar'}.
        message (str):
    """

    item: ExchangeItemOut
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        item = self.item.to_dict()

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "item": item,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exchange_item_out import ExchangeItemOut  # noqa: PLC0415

        d = dict(src_dict)
        item = ExchangeItemOut.from_dict(d.pop("item"))

        message = d.pop("message")

        exchange_received_out = cls(
            item=item,
            message=message,
        )

        exchange_received_out.additional_properties = d
        return exchange_received_out

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
