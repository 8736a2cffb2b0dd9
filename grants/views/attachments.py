from .applications import _todo

attachment_upload = attachment_download = attachment_delete = _todo
