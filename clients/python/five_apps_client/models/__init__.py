"""Contains all the data models used in inputs/outputs"""

from .field_error import FieldError
from .health import Health
from .problem import Problem
from .todo_credentials import TodoCredentials
from .todo_task_in import TodoTaskIn
from .todo_task_out import TodoTaskOut
from .todo_token_out import TodoTokenOut
from .todo_user_out import TodoUserOut

__all__ = (
    "FieldError",
    "Health",
    "Problem",
    "TodoCredentials",
    "TodoTaskIn",
    "TodoTaskOut",
    "TodoTokenOut",
    "TodoUserOut",
)
