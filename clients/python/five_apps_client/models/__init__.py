"""Contains all the data models used in inputs/outputs"""

from .ar_app_token_out import ArAppTokenOut
from .ar_credentials import ArCredentials
from .ar_project_in import ArProjectIn
from .ar_project_out import ArProjectOut
from .ar_target_in import ArTargetIn
from .ar_target_out import ArTargetOut
from .ar_target_patch import ArTargetPatch
from .ar_target_summary import ArTargetSummary
from .ar_token_out import ArTokenOut
from .ar_token_ttl_in import ArTokenTtlIn
from .ar_user_out import ArUserOut
from .ar_user_patch import ArUserPatch
from .dealer_auto_in import DealerAutoIn
from .dealer_auto_out import DealerAutoOut
from .dealer_credentials import DealerCredentials
from .dealer_error import DealerError
from .dealer_message import DealerMessage
from .dealer_token_out import DealerTokenOut
from .exchange_credentials import ExchangeCredentials
from .exchange_item_created import ExchangeItemCreated
from .exchange_item_in import ExchangeItemIn
from .exchange_item_list import ExchangeItemList
from .exchange_item_out import ExchangeItemOut
from .exchange_link_out import ExchangeLinkOut
from .exchange_message import ExchangeMessage
from .exchange_received_out import ExchangeReceivedOut
from .exchange_send_in import ExchangeSendIn
from .exchange_token_in import ExchangeTokenIn
from .exchange_token_out import ExchangeTokenOut
from .field_error import FieldError
from .health import Health
from .problem import Problem
from .shop_bill_out import ShopBillOut
from .shop_buy_in import ShopBuyIn
from .shop_credentials import ShopCredentials
from .shop_message_out import ShopMessageOut
from .shop_product_in import ShopProductIn
from .shop_product_out import ShopProductOut
from .shop_purchase_out import ShopPurchaseOut
from .shop_registered_out import ShopRegisteredOut
from .shop_token_out import ShopTokenOut
from .shop_transaction_out import ShopTransactionOut
from .shop_user_out import ShopUserOut
from .shop_user_patch import ShopUserPatch
from .shop_webhook_in import ShopWebhookIn
from .shop_webhook_out import ShopWebhookOut
from .todo_credentials import TodoCredentials
from .todo_task_in import TodoTaskIn
from .todo_task_out import TodoTaskOut
from .todo_token_out import TodoTokenOut
from .todo_user_out import TodoUserOut

__all__ = (
    "ArAppTokenOut",
    "ArCredentials",
    "ArProjectIn",
    "ArProjectOut",
    "ArTargetIn",
    "ArTargetOut",
    "ArTargetPatch",
    "ArTargetSummary",
    "ArTokenOut",
    "ArTokenTtlIn",
    "ArUserOut",
    "ArUserPatch",
    "DealerAutoIn",
    "DealerAutoOut",
    "DealerCredentials",
    "DealerError",
    "DealerMessage",
    "DealerTokenOut",
    "ExchangeCredentials",
    "ExchangeItemCreated",
    "ExchangeItemIn",
    "ExchangeItemList",
    "ExchangeItemOut",
    "ExchangeLinkOut",
    "ExchangeMessage",
    "ExchangeReceivedOut",
    "ExchangeSendIn",
    "ExchangeTokenIn",
    "ExchangeTokenOut",
    "FieldError",
    "Health",
    "Problem",
    "ShopBillOut",
    "ShopBuyIn",
    "ShopCredentials",
    "ShopMessageOut",
    "ShopProductIn",
    "ShopProductOut",
    "ShopPurchaseOut",
    "ShopRegisteredOut",
    "ShopTokenOut",
    "ShopTransactionOut",
    "ShopUserOut",
    "ShopUserPatch",
    "ShopWebhookIn",
    "ShopWebhookOut",
    "TodoCredentials",
    "TodoTaskIn",
    "TodoTaskOut",
    "TodoTokenOut",
    "TodoUserOut",
)
