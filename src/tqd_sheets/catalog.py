"""The rule catalogue: every rule code with its severity and its Vietnamese wording.

Every message follows one recipe — where, what is wrong, the value found, how to fix it — so
that an officer reading any of them knows what to do. Tests assert codes and places; the
wording lives only here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from . import units
from .findings import Finding, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    group: str  # `{Con}` / `{Cha}`: the rules of the child's or the unit's workbook
    checks: str  # what the rule checks, for the help sheet
    what: str  # what is wrong, a template over the finding's parameters
    fix: str  # how to fix it
    # The severity the rule takes instead where its `checks` says so (R14: an empty register
    # is an error for the year's report, a warning for a quarter's).
    alt: Severity | None = None


_RULES = (
    Rule(
        "F01",
        E,
        "Tệp",
        "Tệp mở được như một bảng tính (không hỏng, không đặt mật khẩu, "
        "phần mở rộng đúng nội dung)",
        "Không mở được tệp như một bảng tính: {detail}.",
        "Mở tệp bằng Excel hoặc LibreOffice, chọn Lưu thành (.xlsx) rồi gửi lại.",
    ),
    Rule(
        "F02",
        N,
        "Tệp",
        "Tệp khóa ~$…, tệp ẩn, tệp không phải bảng tính: bỏ qua và liệt kê",
        "Bỏ qua tệp: {detail}.",
        "Không cần làm gì.",
    ),
    Rule(
        "F03",
        E,
        "Tệp",
        "Tệp là biểu của {con} hoặc của {cha} do tqd-sheets tạo",
        "Tệp không phải biểu mẫu của {cha}: {detail}.",
        "Dùng biểu mẫu trống do {cha} phát, giữ nguyên tên các sheet, rồi nhập lại số liệu.",
    ),
    Rule(
        "F04",
        W,
        "Tệp",
        "Phiên bản biểu mẫu cũ hơn phiên bản hiện hành nhưng vẫn đọc được",
        "Biểu mẫu phiên bản {found}, phiên bản hiện hành là {current}.",
        "Kỳ sau dùng biểu mẫu mới do {cha} phát.",
    ),
    Rule(
        "F05",
        E,
        "Tệp",
        "Tệp đáng ngờ: dung lượng giải nén hoặc số thực thể XML vượt giới hạn an toàn",
        "Tệp đáng ngờ, không đọc: {detail}.",
        "Không mở tệp này; đề nghị {con} gửi lại tệp lập từ biểu mẫu của {cha}.",
    ),
    Rule(
        "F06",
        E,
        "Tệp",
        "Tệp xử lý được đến cùng; một tệp gặp sự cố không làm dừng cả lần tổng hợp",
        "Phần mềm gặp sự cố khi kiểm tra tệp này ({detail}): tệp chưa được tổng hợp, "
        "các tệp khác vẫn được tổng hợp.",
        "Mở tệp bằng Excel hoặc LibreOffice, lưu lại thành .xlsx rồi chạy lại; nếu vẫn gặp, "
        "gửi tệp này cho người hỗ trợ kỹ thuật.",
    ),
    Rule(
        "F07",
        W,
        "Tệp",
        "Lập được bản phản hồi (phan-hoi/…_kiem-tra.xlsx, bản đánh dấu các ô cần sửa)",
        "Không lập được bản phản hồi: {detail}. Báo cáo và số liệu vẫn đúng; các lỗi, cảnh "
        "báo vẫn có trong báo cáo kiểm tra.",
        "Gửi cho {con} danh sách lỗi ở sheet Chi tiết của tệp KiemTra; nếu lặp lại, gửi tệp "
        "này cho người hỗ trợ kỹ thuật.",
    ),
    Rule(
        "F08",
        W,
        "Tệp",
        "Lập được bản báo cáo (BaoCao_….docx, bản thảo báo cáo kèm các biểu)",
        "Không lập được bản thảo báo cáo .docx: {detail}. Các biểu, số liệu và báo cáo kiểm "
        "tra vẫn đúng.",
        "Viết báo cáo từ các biểu trong tệp BaoCao_….xlsx; nếu lặp lại, báo người hỗ trợ kỹ "
        "thuật (có thể thiếu thư viện python-docx: cài lại bằng make).",
    ),
    Rule(
        "H01",
        E,
        "Thông tin",
        "Mã {con} có và thuộc danh sách {con} của {cha}",
        "Mã {con} trống hoặc không thuộc {cha} (mã hợp lệ: {codes}).",
        "Ghi đúng mã {con} in sẵn trên biểu mẫu.",
    ),
    Rule(
        "H02",
        E,
        "Thông tin",
        "Năm và Kỳ báo cáo có và hợp lệ",
        "“{label}” trống hoặc không hợp lệ ({expected}).",
        "Chọn lại “{label}” đúng kỳ báo cáo.",
    ),
    Rule(
        "H03",
        N,
        "Thông tin",
        "Biểu của kỳ khác với kỳ đang tổng hợp: bỏ qua và liệt kê",
        "Biểu của kỳ {found}, không phải kỳ đang tổng hợp ({run}): bỏ qua.",
        "Nếu ghi nhầm kỳ, sửa Năm và Kỳ báo cáo ở sheet Thông tin.",
    ),
    Rule(
        "H04",
        W,
        "Thông tin",
        "Ngày lập có, không ở tương lai, không trước ngày đầu kỳ",
        "Ngày lập {problem}.",
        "Ghi đúng ngày lập biểu, dạng ngày/tháng/năm (dd/mm/yyyy).",
    ),
    Rule(
        "H05",
        W,
        "Thông tin",
        "Người lập biểu và Trưởng Ban vận động {con} được ghi",
        "“{label}” để trống.",
        "Ghi họ tên vào ô này.",
    ),
    Rule(
        "R01",
        E,
        "Danh sách",
        "Có đủ các cột của biểu mẫu trong dòng tiêu đề",
        "Không tìm thấy cột “{label}” trong dòng tiêu đề.",
        "Khôi phục tiêu đề cột “{label}” đúng như biểu mẫu (không đổi tên, không xóa cột).",
    ),
    Rule(
        "R02",
        E,
        "Danh sách",
        "Ô bắt buộc (Mã hộ, Họ và tên chủ hộ, Tổ, Số nhân khẩu) không để trống",
        "“{label}” bắt buộc nhưng để trống.",
        "Nhập “{label}” cho dòng này.",
    ),
    Rule(
        "R03",
        E,
        "Danh sách",
        "Giá trị đúng kiểu và trong khoảng cho phép",
        "“{label}” phải là {expected}.",
        "Sửa lại: {expected}.",
    ),
    Rule(
        "R04",
        E,
        "Danh sách",
        "Ô đánh dấu chỉ nhận có (x) hoặc không (để trống)",
        "“{label}” chỉ nhận x (có) hoặc để trống (không).",
        "Ghi x nếu có, xóa nội dung nếu không.",
    ),
    Rule(
        "R05",
        E,
        "Danh sách",
        "Mã hộ không lặp lại trong cùng tệp",
        "“{label}” {key} lặp lại ở hộ {places}.",
        "Mỗi dòng một mã riêng: sửa mã bị trùng hoặc xóa dòng bị nhập hai lần.",
    ),
    Rule(
        "R06",
        E,
        "Danh sách",
        "Mã hộ không trùng với hộ của {con} khác",
        "Hộ {key}: Mã hộ này cũng có trong tệp {other}, ở {other_place}.",
        "Hai {con} thống nhất hộ này thuộc {con} nào; {con} kia xóa dòng này.",
    ),
    Rule(
        "R07",
        E,
        "Danh sách",
        "Hộ Đạt GĐVH phải có Đăng ký GĐVH",
        "Hộ {key}: đánh dấu Đạt GĐVH nhưng không đánh dấu Đăng ký GĐVH.",
        "Đánh x ở cột Đăng ký GĐVH, hoặc bỏ dấu ở cột Đạt GĐVH.",
    ),
    Rule(
        "R08",
        E,
        "Danh sách",
        "Hộ có thành viên vi phạm pháp luật không được Đạt GĐVH",
        "Hộ {key}: đánh dấu Đạt GĐVH nhưng có thành viên vi phạm pháp luật.",
        "Bỏ dấu Đạt GĐVH, hoặc bỏ dấu Vi phạm pháp luật nếu ghi nhầm.",
    ),
    Rule(
        "R09",
        W,
        "Danh sách",
        "Số năm liên tục khớp với Đạt GĐVH năm nay",
        "Hộ {key}: {problem}.",
        "Kiểm tra lại cột Đạt GĐVH và Số năm liên tục đạt GĐVH.",
    ),
    Rule(
        "R10",
        W,
        "Danh sách",
        "Gia đình học tập / thể thao thường phải Đạt GĐVH",
        "Hộ {key}: là “{label}” nhưng không Đạt GĐVH.",
        "Kiểm tra lại; nếu đúng thì không cần sửa.",
    ),
    Rule(
        "R11",
        W,
        "Danh sách",
        "Hai hộ cùng chủ hộ và địa chỉ nhưng khác Mã hộ",
        "Hộ {key}: trùng chủ hộ và địa chỉ với {other}.",
        "Nếu là một hộ nhập hai lần, xóa một dòng.",
    ),
    Rule(
        "R12",
        E,
        "Danh sách",
        "Ô có công thức nhưng không có giá trị đã tính",
        "“{label}” là công thức chưa có giá trị.",
        "Mở tệp bằng Excel hoặc LibreOffice, nhấn Ctrl+Shift+F9 rồi lưu lại; hoặc gõ thẳng giá "
        "trị vào ô thay cho công thức.",
    ),
    Rule(
        "R13",
        W,
        "Danh sách",
        "Dòng trống giữa danh sách, ô gộp trong vùng số liệu",
        "{problem}.",
        "Xóa dòng trống, bỏ gộp ô (Merge) trong vùng số liệu.",
    ),
    Rule(
        "R14",
        E,
        "Danh sách",
        "Danh sách hộ có ít nhất một hộ (Lỗi với biểu cả năm, Cảnh báo với biểu quý, 6 tháng)",
        "Danh sách hộ không có hộ nào: {con} sẽ được tổng hợp với 0 hộ.",
        "Nhập danh sách hộ của {con} (chép từ biểu kỳ trước nếu có) rồi gửi lại.",
        alt=W,
    ),
    Rule(
        "R15",
        W,
        "Danh sách",
        "Tiêu đề cột viết khác biểu mẫu (thiếu dấu, tiêu đề hai dòng) nhưng vẫn nhận ra được",
        "{problem}: đã đọc cột này là “{label}”.",
        "Sửa tiêu đề cho đúng như biểu mẫu (đủ dấu, một dòng) để lần sau khỏi nhầm.",
    ),
    Rule(
        "R16",
        E,
        "Danh sách",
        "Một cột hoặc một danh sách chỉ có một chỗ (không có cột trùng tiêu đề, "
        "không có sheet chép thêm của danh sách)",
        "{problem}.",
        "Giữ lại một chỗ: chép số liệu còn thiếu vào đúng cột, đúng sheet của biểu mẫu rồi xóa "
        "cột hoặc sheet thừa.",
    ),
    Rule(
        "K01",
        E,
        "{Con}",
        "Đủ các mã tự đánh giá với giá trị hợp lệ; DIEM từ 0 đến 100; "
        "HOA_GIAI_THANH không lớn hơn HOA_GIAI",
        "{label} ({key}) {problem}.",
        "Sửa ô Giá trị: {expected}.",
    ),
    Rule(
        "P01",
        E,
        "{Cha}",
        "Mã {con} trong Số liệu ngành thuộc {cha} và không lặp",
        "Mã {con} {key} {problem}.",
        "Mỗi {con} của {cha} một dòng, đúng mã.",
    ),
    Rule(
        "P02",
        W,
        "{Cha}",
        "{Con} không có trong Số liệu ngành",
        "{Con} {key} không có dòng trong Số liệu ngành: chưa đánh giá được các tiêu chí theo "
        "số liệu ngành.",
        "Thêm một dòng cho {con} {key}.",
    ),
    Rule(
        "P03",
        W,
        "{Cha}",
        "Số hộ nghèo, cận nghèo của LĐTBXH khớp với danh sách hộ của {con}",
        "{Con} {key}: {label} theo LĐTBXH là {agency}, theo danh sách hộ là {register}.",
        "Đối chiếu với LĐTBXH và {con}; sửa bên ghi sai.",
    ),
    Rule(
        "P04",
        W,
        "{Cha}",
        "{Con} tự đánh giá An toàn ANTT khớp với Công an",
        "{Con} {key} tự đánh giá An toàn ANTT, Công an xác nhận không: dùng số liệu Công an.",
        "{Con} sửa lại ô ANTT ở sheet {Con} nếu Công an đúng.",
    ),
    Rule(
        "P05",
        E,
        "{Cha}",
        "Đơn vị: Đạt chuẩn phải có Đăng ký; tên không lặp; Loại hợp lệ",
        "Đơn vị “{key}”: {problem}.",
        "Sửa lại dòng này ở sheet Đơn vị.",
    ),
    Rule(
        "P06",
        E,
        "{Cha}",
        "Chỉ tiêu có giá trị hợp lệ",
        "Chỉ tiêu {label} ({key}) {problem}.",
        "Nhập lại: {expected}.",
    ),
    Rule(
        "P07",
        E,
        "{Cha}",
        "Người có việc làm không lớn hơn người trong độ tuổi lao động",
        "{Con} {key}: người có việc làm ({found}) lớn hơn người trong độ tuổi lao động ({limit}).",
        "Đối chiếu lại số liệu với LĐTBXH.",
    ),
    Rule(
        "I01",
        W,
        "Hộp thư",
        "Hai biểu cùng {con}, cùng kỳ, khác Ngày lập: dùng biểu lập sau",
        "Có hai biểu của {key} cho kỳ này: dùng {used} (lập {used_date}), bỏ qua {other} "
        "(lập {other_date}).",
        "Xóa biểu cũ khỏi thư mục inbox để khỏi nhầm.",
    ),
    Rule(
        "I02",
        E,
        "Hộp thư",
        "Hai biểu cùng {con}, cùng kỳ, không phân biệt được biểu nào mới hơn: "
        "chưa tổng hợp {con} đó",
        "Có nhiều biểu của {key} cho kỳ này mà không rõ biểu nào mới hơn: {files}.",
        "Giữ lại một biểu trong thư mục inbox, xóa các biểu còn lại, rồi chạy lại.",
    ),
    Rule(
        "I03",
        W,
        "Hộp thư",
        "{Con} chưa nộp biểu",
        "Chưa có biểu của {key} ({name}) cho kỳ này.",
        "Đề nghị {con} gửi biểu, chép vào thư mục inbox rồi chạy lại.",
    ),
    Rule(
        "I04",
        W,
        "Hộp thư",
        "Chưa có biểu của {cha} (số liệu ngành, đơn vị, chỉ tiêu)",
        "Chưa có biểu của {cha}: chưa đánh giá được tiêu chí theo số liệu ngành và các đơn vị; "
        "dùng chỉ tiêu mặc định của kế hoạch.",
        "Lập biểu của {cha} (Số liệu ngành, Đơn vị, Chỉ tiêu) và chép vào thư mục inbox.",
    ),
    Rule(
        "I05",
        W,
        "Hộp thư",
        "Biểu lập sau hạn nộp báo cáo (Nộp trễ)",
        "Biểu lập ngày {found}, sau hạn nộp {deadline}: nộp trễ.",
        "Không cần sửa; nhắc {con} nộp đúng hạn kỳ sau.",
    ),
    # ── issue 9: a parent's run over its children's outputs (levels.md, family U) ──
    Rule(
        "U01",
        E,
        "Cấp dưới",
        "Kết quả là của một {con} của {cha} trong kỳ (mã có trong cấu hình, còn hiệu lực)",
        "Tệp là kết quả của đơn vị {unit}, không phải {con} của {cha} trong kỳ {ky} "
        "(các mã trong cấu hình: {codes}): chưa tổng hợp.",
        "Nếu đơn vị này đúng là {con} của {cha} trong kỳ, thêm nó vào [[don_vi_con]] của tệp "
        "cấu hình (kèm tu_ngay, den_ngay); nếu không, xóa tệp khỏi thư mục inbox.",
    ),
    Rule(
        "U02",
        E,
        "Cấp dưới",
        "Kết quả là của kỳ đang tổng hợp",
        "Kết quả của kỳ {found}, không phải kỳ đang tổng hợp ({run}): chưa tổng hợp.",
        "Đề nghị {con} chạy tổng hợp kỳ {run} và gửi lại; xóa tệp của kỳ khác khỏi inbox.",
    ),
    Rule(
        "U03",
        E,
        "Cấp dưới",
        "Số liệu của kết quả khớp với nhau: tỷ lệ bằng tử số/mẫu số, tổng bằng tổng các đơn vị "
        "cấp dưới, số đếm là số nguyên không âm",
        "Số liệu không khớp ({detail}): kết quả có thể đã bị sửa tay, chưa tổng hợp.",
        "Không sửa tay tệp kết quả: đề nghị {con} sửa biểu gốc, chạy lại tqd-sheets và gửi "
        "lại tệp BaoCao hoặc DuLieu mới.",
    ),
    Rule(
        "U04",
        E,
        "Cấp dưới",
        "Tệp là kết quả tổng hợp của tqd-sheets (dấu hiệu, cột của sheet Dữ liệu) và có đủ "
        "các chỉ tiêu mà biểu cần",
        "Tệp không phải kết quả tổng hợp dùng được: {detail}.",
        "Đề nghị {con} gửi tệp BaoCao_….xlsx hoặc DuLieu_….csv do tqd-sheets lập, không sửa "
        "tay, không đổi tên cột.",
    ),
    Rule(
        "U05",
        W,
        "Cấp dưới",
        "Hai kết quả của cùng một {con}, cùng kỳ: dùng kết quả lập sau",
        "Có hai kết quả của {key} cho kỳ này: dùng {used} (lập {used_date}), bỏ qua {other} "
        "(lập {other_date}).",
        "Xóa tệp cũ khỏi thư mục inbox để khỏi nhầm.",
    ),
    Rule(
        "U06",
        E,
        "Cấp dưới",
        "Kết quả không tổng hợp từ DỮ LIỆU MẪU",
        "Kết quả của {key} tổng hợp từ DỮ LIỆU MẪU, không phải số liệu thật: chưa tổng hợp.",
        "Đề nghị {con} tổng hợp các biểu thật rồi gửi lại kết quả.",
    ),
    Rule(
        "U07",
        W,
        "Cấp dưới",
        "{Con} đã tổng hợp đủ các đơn vị cấp dưới của mình",
        "Kết quả của {key} chưa đủ: {detail}. Số liệu vẫn được tổng hợp; các đánh giá dựa "
        "trên {con} này ghi “Chưa đủ căn cứ”.",
        "Đề nghị {con} tổng hợp đủ các đơn vị cấp dưới rồi gửi lại kết quả.",
    ),
    # ══ history: checks against earlier periods (history.md) ══
    Rule(
        "L01",
        W,
        "Hộp thư",
        "Tệp lịch sử (lich-su/….sqlite) đọc và ghi được; nếu không, các biểu vẫn lập đủ, chỉ "
        "thiếu phần so sánh với các kỳ trước",
        "Không dùng được lịch sử: {detail}. Các biểu và số liệu kỳ này vẫn đúng; chỉ thiếu "
        "phần so sánh với các kỳ trước, và lần chạy này không được ghi vào lịch sử.",
        "Đóng chương trình khác đang dùng tệp lịch sử rồi chạy lại; nếu tệp hỏng, đổi tên tệp "
        "(phần mềm sẽ tạo tệp mới) hoặc chép lại bản sao lưu, rồi nạp lại các kết quả cũ bằng "
        "lệnh tqd-sheets history import.",
    ),
    Rule(
        "L02",
        W,
        "Danh sách",
        "Số năm liên tục đạt GĐVH khớp với danh sách hộ các năm trước (theo lịch sử)",
        "Hộ {key} ghi {found} năm liên tục đạt GĐVH nhưng {problem}.",
        "Sửa Số năm liên tục đạt GĐVH ({expected}) nếu danh sách các năm trước đúng; nếu không, "
        "ghi lý do ở cột Ghi chú.",
    ),
    Rule(
        "L03",
        W,
        "Danh sách",
        "Số năm liên tục đạt GĐVH để trống: tính từ danh sách hộ các năm trước (theo lịch sử)",
        "Hộ {key} đạt GĐVH nhưng Số năm liên tục để trống (tính là 0); theo danh sách các năm "
        "trước, hộ đạt GĐVH liên tục các năm {years}: tính đến năm nay là {expected} năm.",
        "Ghi {expected} vào ô Số năm liên tục đạt GĐVH nếu đúng.",
    ),
    Rule(
        "L04",
        W,
        "Danh sách",
        "Hộ có trong danh sách kỳ trước của {con} vẫn có trong danh sách kỳ này (theo lịch sử)",
        "Hộ {key} ({name}) có trong danh sách hộ của {khom_name} ({before}) nhưng kỳ này không "
        "có trong danh sách của {con} nào.",
        "Nếu hộ đã chuyển đi hoặc không còn, không cần sửa; nếu bị sót, thêm lại hộ vào Danh "
        "sách hộ.",
    ),
    Rule(
        "L05",
        W,
        "Danh sách",
        "Hộ kỳ trước thuộc {con} khác: chuyển đến thật, hay nhập nhầm Mã hộ (theo lịch sử)",
        "Hộ {key} thuộc {other} ({before}), kỳ này có trong danh sách của {here}.",
        "Nếu hộ chuyển đến thật, không cần sửa; nếu nhập nhầm Mã hộ, sửa lại cho đúng.",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


# The words `{con}`/`{cha}` of the messages stand for: those of the unit whose run (or file) is
# being checked, set by `wording`; khóm and phường when nothing is set.
DEFAULT_WORDS = units.words(units.DEFAULT_CHILD, units.DEFAULT_PARENT)
_WORDS: ContextVar[Mapping[str, str]] = ContextVar("catalog_words", default=DEFAULT_WORDS)


@contextmanager
def wording(con: units.Level, cha: units.Level) -> Iterator[None]:
    """Messages made inside say `con` for the child and `cha` for the unit (ấp, xã…)."""
    token = _WORDS.set(units.words(con, cha))
    try:
        yield
    finally:
        _WORDS.reset(token)


def current_words() -> Mapping[str, str]:
    return _WORDS.get()


def checks_text(rule: Rule, words: Mapping[str, str]) -> str:
    """What the rule checks, for a help sheet in the workbook's words."""
    return rule.checks.format_map({**DEFAULT_WORDS, **words})


def make(
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    cell: str = "",
    row: int | None = None,
    value: object = "",
    khom: str = "",
    fix: str | None = None,
    severity: Severity | None = None,
    **params: object,
) -> Finding:
    """Build a finding whose message follows the catalogue's recipe; `severity` only where the
    rule declares an alternative (`Rule.alt`)."""
    rule = RULES[code]
    if severity is not None and severity not in (rule.severity, rule.alt):
        raise ValueError(f"{code} is never {severity}")
    words = {**_WORDS.get(), **params}
    what = rule.what.format(**words)
    how = (fix or rule.fix).format(**words)
    shown = _show(value)
    parts = [what]
    if shown:
        parts.append(f"Giá trị hiện có: «{shown}».")
    parts.append(f"Cách sửa: {how}")
    return Finding(
        code=code,
        severity=severity or rule.severity,
        message=" ".join(parts),
        file=file,
        sheet=sheet,
        cell=cell,
        row=row,
        value=shown,
        khom=khom,
    )


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
