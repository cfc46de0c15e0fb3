-- Rows for `hoidap report` (tests/report.sh). The schema is not repeated
-- here: the test creates it by running bot/store.c's migrations[] in order,
-- as store_open() does, so this fixture follows every schema change.
--
-- Times are written in Hanoi local time (UTC+7) and converted to ms since
-- the epoch. "Today" is 2026-11-28 (HOIDAP_TODAY), so the default period
-- starts on 2026-10-29 and the 2026-10-20 rows only show with an earlier
-- --since. Expected figures are in tests/report.sh.

-- Conversations: one 'in' row per message and the bot's 'out' row.
-- 2026-11-26: 6 questions, 2026-11-27: 9, 2026-11-28: 7 (by Hanoi days;
-- by UTC days it would be 7, 9, 6).
INSERT INTO messages(platform, chat_id, dir, text, topic, action, at)
SELECT column1, column2, column3, column4, column5, column6,
    (strftime('%s', column7) - 7 * 3600) * 1000
FROM (VALUES
  ('telegram', '201', 'in',  'xem bhxh tren vssid', NULL, NULL, '2026-10-20 08:00'),
  ('telegram', '201', 'out', 'Xem quá trình đóng BHXH…', 'vssid.lookup', 'answer', '2026-10-20 08:00'),
  ('telegram', '202', 'in',  'tra cứu quá trình đóng bảo hiểm', NULL, NULL, '2026-10-20 08:30'),
  ('telegram', '202', 'out', 'Xem quá trình đóng BHXH…', 'vssid.lookup', 'answer', '2026-10-20 08:30'),
  ('zalo',     '203', 'in',  'xem thẻ bhyt', NULL, NULL, '2026-10-20 09:00'),
  ('zalo',     '203', 'out', 'Xem thẻ BHYT…', 'vssid.lookup', 'answer', '2026-10-20 09:00'),
  ('telegram', '204', 'in',  'vssid xem bhxh', NULL, NULL, '2026-10-20 09:30'),
  ('telegram', '204', 'out', 'Xem quá trình đóng BHXH…', 'vssid.lookup', 'answer', '2026-10-20 09:30'),
  ('zalo',     '205', 'in',  'tra bhxh', NULL, NULL, '2026-10-20 10:00'),
  ('zalo',     '205', 'out', 'Xem quá trình đóng BHXH…', 'vssid.lookup', 'answer', '2026-10-20 10:00'),
  ('telegram', '206', 'in',  'kiểm tra thẻ bảo hiểm y tế', NULL, NULL, '2026-10-20 10:30'),
  ('telegram', '206', 'out', 'Xem thẻ BHYT…', 'vssid.lookup', 'answer', '2026-10-20 10:30'),

  ('telegram', '101', 'in',  'cai vneid ntn', NULL, NULL, '2026-11-26 08:05'),
  ('telegram', '101', 'out', '1. Mở CH Play…', 'vneid.install', 'answer', '2026-11-26 08:05'),
  ('zalo',     '102', 'in',  'quen mk vneid', NULL, NULL, '2026-11-26 08:30'),
  ('zalo',     '102', 'out', 'Quên mật khẩu VNeID…', 'vneid.forgot_passcode', 'answer', '2026-11-26 08:30'),
  ('telegram', '103', 'in',  'cài etax thế nào', NULL, NULL, '2026-11-26 09:10'),
  ('telegram', '103', 'out', 'Cài eTax Mobile…', 'etax.install_login', 'answer', '2026-11-26 09:10'),
  ('telegram', '104', 'in',  'nộp phí dịch vụ công', NULL, NULL, '2026-11-26 10:00'),
  ('telegram', '104', 'out', 'Bác muốn hỏi việc nào?', 'dvc.pay_fee', 'clarify', '2026-11-26 10:00'),
  ('zalo',     '105', 'in',  'doi so dien thoai vneid', NULL, NULL, '2026-11-26 14:20'),
  ('zalo',     '105', 'out', 'Cháu chưa hiểu câu hỏi…', NULL, 'fallback', '2026-11-26 14:20'),
  ('telegram', '106', 'in',  'tải vneid ở đâu', NULL, NULL, '2026-11-26 23:30'),
  ('telegram', '106', 'out', '1. Mở CH Play…', 'vneid.install', 'answer', '2026-11-26 23:30'),

  ('telegram', '107', 'in',  'quên mật khẩu vneid', NULL, NULL, '2026-11-27 00:10'),
  ('telegram', '107', 'out', 'Quên mật khẩu VNeID…', 'vneid.forgot_passcode', 'answer', '2026-11-27 00:10'),
  ('zalo',     '108', 'in',  'cài vneid', NULL, NULL, '2026-11-27 07:45'),
  ('zalo',     '108', 'out', '1. Mở CH Play…', 'vneid.install', 'answer', '2026-11-27 07:45'),
  ('telegram', '104', 'in',  '1', NULL, NULL, '2026-11-27 08:00'),
  ('telegram', '104', 'out', 'Nộp phí, lệ phí…', 'dvc.pay_fee', 'answer', '2026-11-27 08:00'),
  ('telegram', '109', 'in',  'bị lừa chuyển tiền', NULL, NULL, '2026-11-27 09:30'),
  ('telegram', '109', 'out', 'Phòng lừa đảo…', 'security.scam_otp', 'answer', '2026-11-27 09:30'),
  ('zalo',     '110', 'in',  'tra cuu phat nguoi xe may', NULL, NULL, '2026-11-27 10:15'),
  ('zalo',     '110', 'out', 'Cháu chưa hiểu câu hỏi…', NULL, 'fallback', '2026-11-27 10:15'),
  ('telegram', '103', 'in',  'etax đăng nhập', NULL, NULL, '2026-11-27 11:00'),
  -- a section's answer ("topic#section") counts for its topic
  ('telegram', '103', 'out', 'Đăng nhập eTax Mobile…', 'etax.install_login#forgot_password', 'answer', '2026-11-27 11:00'),
  ('telegram', '111', 'in',  '', NULL, 'photo', '2026-11-27 15:00'),
  ('telegram', '111', 'out', 'Cháu chưa xem được ảnh…', NULL, 'notice', '2026-11-27 15:00'),
  ('zalo',     '112', 'in',  'gặp người', NULL, NULL, '2026-11-27 16:20'),
  ('zalo',     '112', 'out', 'Cháu đã báo tình nguyện viên…', 'handoff.human', 'answer', '2026-11-27 16:20'),
  ('telegram', '113', 'in',  'quen passcode vneid', NULL, NULL, '2026-11-27 20:00'),
  ('telegram', '113', 'out', 'Quên mật khẩu VNeID…', 'vneid.forgot_passcode', 'answer', '2026-11-27 20:00'),

  ('telegram', '114', 'in',  'cài đặt vneid trên điện thoại', NULL, NULL, '2026-11-28 06:30'),
  ('telegram', '114', 'out', '1. Mở CH Play…', 'vneid.install', 'answer', '2026-11-28 06:30'),
  ('zalo',     '115', 'in',  'nop phi dvc', NULL, NULL, '2026-11-28 09:00'),
  ('zalo',     '115', 'out', 'Nộp phí, lệ phí…', 'dvc.pay_fee', 'answer', '2026-11-28 09:00'),
  ('telegram', '116', 'in',  'etax mobile', NULL, NULL, '2026-11-28 09:40'),
  ('telegram', '116', 'out', 'Bác muốn hỏi việc nào?', 'etax.install_login', 'clarify', '2026-11-28 09:40'),
  ('zalo',     '117', 'in',  'lam giay khai sinh cho con online', NULL, NULL, '2026-11-28 10:00'),
  ('zalo',     '117', 'out', 'Cháu chưa hiểu câu hỏi…', NULL, 'fallback', '2026-11-28 10:00'),
  ('telegram', '118', 'in',  'hỏi thủ tục cũ', NULL, NULL, '2026-11-28 10:30'),
  ('telegram', '118', 'out', 'Thủ tục cũ…', 'old.removed_topic', 'answer', '2026-11-28 10:30'),
  -- unsure: only a "did you mean" list (the daemon logs no topic for it);
  -- grouped with the unanswered questions about the same thing
  ('telegram', '119', 'in',  'đổi sđt vneid thế nào', NULL, NULL, '2026-11-28 11:00'),
  ('telegram', '119', 'out', 'Dạ, có phải bác muốn hỏi…', NULL, 'clarify', '2026-11-28 11:00'),
  -- a thank-you is a notice: neither answered nor unanswered
  ('zalo',     '120', 'in',  'cảm ơn cháu nhé', NULL, NULL, '2026-11-28 11:30'),
  ('zalo',     '120', 'out', 'Dạ, không có gì ạ…', NULL, 'notice', '2026-11-28 11:30')
);

INSERT INTO topic_counts(topic, n) VALUES
  ('vneid.install', 4), ('vneid.forgot_passcode', 3), ('dvc.pay_fee', 3),
  ('etax.install_login', 3), ('security.scam_otp', 1), ('handoff.human', 1),
  ('old.removed_topic', 1), ('vssid.lookup', 6);

-- Questions the bot could not answer (already redacted), as residents type
-- them: with and without diacritics, abbreviations, polite particles.
-- Intended groups: VNeID phone number (6, one of them a repeat), "phạt
-- nguội" lookup (3), birth registration online (3); asked once: a "phạt
-- nguội" and a birth-registration paraphrase that share too few words, a
-- near miss ("số điện thoại của phường") and three unrelated questions, one
-- of them with markup and a terminal escape that must not reach the output.
-- "lương hưu" sits whole inside a longer question: one group of 2.
INSERT INTO unanswered(platform, chat_id, text, at)
SELECT column1, column2, column3, (strftime('%s', column4) - 7 * 3600) * 1000
FROM (VALUES
  ('zalo',     '105', 'doi so dien thoai vneid', '2026-11-26 14:20'),
  ('telegram', '121', 'đổi số điện thoại trên vneid như thế nào', '2026-11-24 09:00'),
  ('telegram', '122', 'cách đổi sđt đăng nhập VNeID', '2026-11-20 10:00'),
  ('zalo',     '123', 'muốn thay đổi số điện thoại tài khoản vneid thì làm sao', '2026-11-15 16:00'),
  ('telegram', '124', 'vneid đổi sdt được không ạ', '2026-11-27 19:00'),
  ('zalo',     '125', 'doi so dien thoai vneid', '2026-11-27 21:00'),
  ('zalo',     '110', 'tra cuu phat nguoi xe may', '2026-11-27 10:15'),
  ('telegram', '126', 'tra cứu phạt nguội ở đâu', '2026-11-22 08:00'),
  ('telegram', '127', 'kiểm tra phạt nguội xe máy thế nào', '2026-11-18 09:30'),
  ('zalo',     '128', 'xem phạt nguội ô tô trên điện thoại', '2026-11-25 11:00'),
  ('zalo',     '117', 'lam giay khai sinh cho con online', '2026-11-28 10:00'),
  ('telegram', '129', 'dang ky khai sinh online cho be', '2026-11-21 14:00'),
  ('telegram', '130', 'khai sinh cho cháu làm online được không', '2026-11-23 15:30'),
  ('zalo',     '131', 'đăng ký khai sinh trực tuyến cần giấy tờ gì', '2026-11-19 08:45'),
  ('telegram', '132', 'số điện thoại của phường là bao nhiêu', '2026-11-26 20:00'),
  ('zalo',     '133', 'mạng chậm quá', '2026-11-24 07:00'),
  ('telegram', '134', 'cho hỏi giờ làm việc của phường', '2026-11-16 13:00'),
  ('telegram', '135', '<script>alert(1)</script>' || char(27) || '[31m thử gửi', '2026-11-17 10:00'),
  ('telegram', '206', 'doi sdt vneid', '2026-10-20 11:00'),
  ('zalo',     '136', 'lương hưu', '2026-11-25 09:00'),
  ('telegram', '137', 'lương hưu tháng này bao giờ có', '2026-11-24 10:00')
);

-- Hand-offs, one or more in each state. Minutes from created to the first
-- reply: 10, 20, 30, 40, 5 (median 20); to resolved: 60, 120, 180, 30
-- (median 90). Feedback 👍 2, 👎 1, one resolved without a rating.
INSERT INTO tickets(platform, chat_id, user_name, tier, reason, question,
    status, volunteer_id, volunteer_name, created, claimed_at, first_reply_at,
    resolved_at, announced_at, escalated_at, feedback)
SELECT column1, column2, column3, column4, column5, column6, column7, column8,
    column9,
    (strftime('%s', column10) - 7 * 3600) * 1000,
    (strftime('%s', column11) - 7 * 3600) * 1000,
    (strftime('%s', column12) - 7 * 3600) * 1000,
    (strftime('%s', column13) - 7 * 3600) * 1000,
    (strftime('%s', column10) - 7 * 3600) * 1000,
    (strftime('%s', column14) - 7 * 3600) * 1000,
    column15
FROM (VALUES
  ('telegram', '141', 'Bà Lan', 1, 'asked', 'cho tôi gặp người', 'open',
   NULL, NULL, '2026-11-27 10:00', NULL, NULL, NULL, NULL, NULL),
  ('zalo', '142', 'Ông Hùng', 1, 'fallback', 'đổi ảnh thẻ căn cước', 'claimed',
   'v1', 'Minh', '2026-11-27 11:00', '2026-11-27 11:05', '2026-11-27 11:10',
   NULL, NULL, NULL),
  ('telegram', '143', 'Cô Hoa', 1, 'asked', 'cài vneid giúp tôi', 'resolved',
   'v2', 'Trang', '2026-11-26 09:00', '2026-11-26 09:10', '2026-11-26 09:20',
   '2026-11-26 10:00', NULL, 1),
  ('telegram', '144', NULL, 1, 'media', NULL, 'resolved',
   'v1', 'Minh', '2026-11-26 14:00', '2026-11-26 14:10', '2026-11-26 14:30',
   '2026-11-26 16:00', NULL, 1),
  ('telegram', '145', 'Bác Tư', 2, 'forwarded', 'sổ đỏ bị sai tên', 'resolved',
   'v3', 'Cán bộ Nam', '2026-11-27 08:00', '2026-11-27 08:20', '2026-11-27 08:40',
   '2026-11-27 11:00', NULL, -1),
  ('zalo', '146', 'Chú Ba', 1, 'fallback', 'hỏi về lương hưu', 'resolved',
   'v2', 'Trang', '2026-11-28 07:00', '2026-11-28 07:02', '2026-11-28 07:05',
   '2026-11-28 07:30', NULL, NULL),
  ('telegram', '147', 'Bà Tám', 2, 'asked', 'khiếu nại tiền điện', 'open',
   NULL, NULL, '2026-11-28 08:00', NULL, NULL, NULL, '2026-11-28 08:30', NULL),
  ('telegram', '206', 'Anh Dũng', 1, 'asked', 'xem bhxh', 'resolved',
   'v1', 'Minh', '2026-10-20 11:00', '2026-10-20 11:02', '2026-10-20 11:05',
   '2026-10-20 11:10', NULL, -1)
);
