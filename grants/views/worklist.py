from .applications import _todo

worklist_view = _todo
