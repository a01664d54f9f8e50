"""What the operating system said, in Vietnamese: `Permission denied` means nothing to an officer.

One table from errno (and the Windows error numbers that have no errno of their own) to words.
"""

from __future__ import annotations

import errno

_BY_ERRNO: dict[int, str] = {
    errno.EACCES: "không có quyền đọc hoặc ghi, hoặc tệp đang mở trong chương trình khác",
    errno.EPERM: "không có quyền",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.ENOTDIR: "đường dẫn có một phần không phải thư mục",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOSPC: "ổ đĩa đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EBUSY: "tệp đang được chương trình khác sử dụng",
    errno.ETXTBSY: "tệp đang được chương trình khác sử dụng",
    errno.EEXIST: "tệp đã có",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EIO: "lỗi đọc ghi ổ đĩa",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.ENXIO: "thiết bị không sẵn sàng",
    errno.EINVAL: "tên tệp không hợp lệ",
}
if hasattr(errno, "EDQUOT"):
    _BY_ERRNO[errno.EDQUOT] = "hết dung lượng được cấp trên ổ đĩa"

# Windows: the sharing violations of a file open in Excel come as EACCES with these numbers.
_BY_WINERROR: dict[int, str] = {
    32: "tệp đang mở trong Excel/LibreOffice hoặc chương trình khác",
    33: "tệp đang mở trong Excel/LibreOffice hoặc chương trình khác",
    5: "không có quyền",
    112: "ổ đĩa đầy",
    19: "ổ đĩa chỉ cho đọc",
}


def in_vietnamese(exc: OSError) -> str:
    """The reason of `exc` in Vietnamese, never the system's English text."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _BY_WINERROR:
        return _BY_WINERROR[winerror]
    if exc.errno in _BY_ERRNO:
        return _BY_ERRNO[exc.errno]
    return f"lỗi hệ thống số {exc.errno}" if exc.errno else "lỗi hệ thống"
