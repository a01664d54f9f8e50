"""tqd-sheets: tổng hợp số liệu phong trào xây dựng đời sống văn hóa từ biểu Excel của khóm."""

__version__ = "0.1.0"
