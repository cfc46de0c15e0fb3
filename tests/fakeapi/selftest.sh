#!/bin/sh
# Self-test for the fake Telegram/Zalo API server.
# usage: tests/fakeapi/selftest.sh [path/to/fakeapi]   (default: build/fakeapi)
# Needs only curl, grep and a POSIX shell.  Takes about 10 s.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${FAKEAPI:-$here/../../build/fakeapi}}
[ -x "$bin" ] || { echo "selftest: $bin not built" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakeapi-selftest.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
# has LABEL HAYSTACK NEEDLE — fixed-string containment
has() {
	case $2 in *"$3"*) ok ;; *) bad "$1: expected [$3] in [$2]" ;; esac
}
hasnt() {
	case $2 in *"$3"*) bad "$1: did not expect [$3] in [$2]" ;; *) ok ;; esac
}
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$3], got [$2]"; fi; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

"$bin" --port 0 --portfile "$tmp/port" --log "$tmp/log" 2>"$tmp/stderr" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/port" ] || { echo "selftest: fakeapi did not start" >&2; cat "$tmp/stderr" >&2; exit 1; }
port=$(cat "$tmp/port")
B=http://127.0.0.1:$port
T=$B/bot123456:SECRET-tok
Z=$B/zalo/bot987:zsecret
J='Content-Type: application/json'

# get URL → body;  code URL [curl args] → "HTTPCODE BODY"
get() { curl -s "$@"; }
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; printf ' '; cat "$tmp/body"; }
post() { url=$1; shift; curl -s -H "$J" -d "$@" "$url"; }

# --- basics -----------------------------------------------------------
has "getMe" "$(get $T/getMe)" '"result":{"id":1,"is_bot":true,"first_name":"Fake","username":"fake_bot"}'
has "bad token" "$(code $B/botbad/getMe)" '401 {"ok":false,"error_code":401,"description":"Unauthorized"}'
has "unknown method" "$(code $T/noSuchMethod)" '404 {"ok":false,"error_code":404'
has "unknown path" "$(code $B/nope)" '404 '
has "bad json" "$(code -H "$J" -d '{"chat_id":' $T/sendMessage)" '400 {"ok":false,"error_code":400'
head -c 1100000 /dev/zero | tr '\0' 'a' >"$tmp/big"
has "body cap" "$(code -H "$J" --data-binary @"$tmp/big" $T/sendMessage)" '413 '
has "validation" "$(code -H "$J" -d '{"chat_id":1,"text":""}' $T/sendMessage)" '400 {"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}'

# --- telegram sends: JSON, form, query, case-insensitive, multipart ----
has "send json" "$(post $T/sendMessage '{"chat_id":42,"text":"xin chào"}')" '"chat":{"id":42,"type":"private"},"text":"xin chào"}'
has "send form" "$(curl -s --data-urlencode chat_id=-1001234567890123 --data-urlencode 'text=a&b' $T/sendmessage)" '"chat":{"id":-1001234567890123,"type":"supergroup"},"text":"a&b"}'
has "send query" "$(get "$T/SENDMESSAGE?chat_id=7&text=q")" '"message_id":3,'
has "multipart" "$(curl -s -F chat_id=7 -F photo=@"$tmp/port" $T/sendPhoto)" '"photo":[{'
has "answerCallbackQuery" "$(post $T/answerCallbackQuery '{"callback_query_id":"cb1"}')" '{"ok":true,"result":true}'
s=$(get "$B/control/sent?platform=telegram&method=sendMessage")
has "sent list json" "$s" '"method":"sendMessage","params":{"chat_id":42,"text":"xin chào"},"t_ms":'
has "sent list form" "$s" '"params":{"chat_id":"-1001234567890123","text":"a&b"}'
has "sent list query" "$s" '"params":{"chat_id":"7","text":"q"}'
has "sent multipart" "$(get "$B/control/sent?method=sendphoto")" '"photo":{"filename":"port",'
hasnt "sent excludes errors" "$(get $B/control/sent)" '"text":""'
has "rejected has errors" "$(get $B/control/rejected)" '"error":"Bad Request: message text is empty"'

# --- telegram getUpdates ------------------------------------------------
has "push one" "$(post $B/control/telegram/update '{"message":{"message_id":1,"chat":{"id":42,"type":"private"},"text":"a"}}')" '{"update_id":1}'
has "push array" "$(post $B/control/telegram/update '[{"message":{"text":"b"}},{"callback_query":{"id":"q","data":"x"}}]')" '[2,3]'
has "getUpdates all" "$(get $T/getUpdates)" '"result":[{"update_id":1,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"text":"a"}},{"update_id":2,'
has "getUpdates limit" "$(post $T/getUpdates '{"offset":2,"limit":1}')" '{"ok":true,"result":[{"update_id":2,"message":{"text":"b"}}]}'
has "confirmed" "$(get $B/control/stats)" '"pending":{"telegram":2,'
has "getUpdates offset" "$(get "$T/getUpdates?offset=4")" '{"ok":true,"result":[]}'
has "all confirmed" "$(get $B/control/stats)" '"pending":{"telegram":0,'
has "next_id" "$(post "$B/control/telegram/update?next_id=100" '{"message":{"text":"c"}}')" '{"update_id":100}'
post $T/getUpdates '{"offset":101}' >/dev/null
# long poll: returns as soon as an update is pushed, other requests still served
t0=$(now_ms)
curl -s -H "$J" -d '{"offset":101,"timeout":5}' $T/getUpdates >"$tmp/lp" &
lp=$!
sleep 0.4
has "polling count" "$(get $B/control/stats)" '"polling":{"telegram":1,'
post $B/control/telegram/update '{"message":{"text":"wake"}}' >/dev/null
wait $lp
dt=$(($(now_ms) - t0))
has "long poll result" "$(cat "$tmp/lp")" '[{"update_id":101,"message":{"text":"wake"}}]'
[ $dt -lt 2500 ] && ok || bad "long poll took ${dt}ms"
t0=$(now_ms)
has "long poll timeout" "$(get "$T/getUpdates?offset=102&timeout=1")" '{"ok":true,"result":[]}'
dt=$(($(now_ms) - t0))
[ $dt -ge 900 ] && [ $dt -lt 2500 ] && ok || bad "timeout=1 took ${dt}ms"
has "polls list" "$(get "$B/control/polls?platform=telegram")" '"returned":[101]'

# --- faults -------------------------------------------------------------
has "fault add" "$(post $B/control/fault '{"platform":"telegram","method":"sendMessage","count":2,"status":429,"retry_after":1}')" '{"faults_pending":1}'
r='{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}'
has "429 #1" "$(code -H "$J" -d '{"chat_id":1,"text":"r1"}' $T/sendMessage)" "429 $r"
has "429 #2" "$(code -H "$J" -d '{"chat_id":1,"text":"r2"}' $T/sendMessage)" "429 $r"
has "after 429" "$(code -H "$J" -d '{"chat_id":1,"text":"r3"}' $T/sendMessage)" '200 {"ok":true'
s=$(get "$B/control/sent?method=sendMessage")
hasnt "faulted not sent" "$s" '"text":"r1"'
has "ok is sent" "$s" '"text":"r3"'
has "faulted rejected" "$(get $B/control/rejected)" '"text":"r2"},"t_ms":'
has "rejected fault" "$(get $B/control/rejected)" '"status":429,"fault":{"platform":"telegram","method":"sendMessage","count":2,"status":429,"retry_after":1}}'
post $B/control/fault '{"platform":"telegram","method":"sendMessage","status":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","migrate_to_chat_id":-1009}' >/dev/null
has "migrate" "$(code -H "$J" -d '{"chat_id":-5,"text":"m"}' $T/sendMessage)" '400 {"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}'
post $B/control/fault '{"platform":"telegram","method":"getUpdates","conflict":true}' >/dev/null
has "conflict" "$(code $T/getUpdates)" '409 {"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}'
post $B/control/fault '{"platform":"telegram","method":"*","malformed":true}' >/dev/null
m=$(code $T/getMe)
has "malformed 200" "$m" '200 {"ok":true,"result":{'
hasnt "malformed truncated" "$m" '}}'
post $B/control/fault '{"platform":"telegram","method":"getMe","drop":true}' >/dev/null
curl -s $T/getMe >/dev/null 2>&1
eq "drop -> empty reply (curl 52)" "$?" 52
post $B/control/fault '{"platform":"telegram","method":"getMe","delay_ms":700}' >/dev/null
t0=$(now_ms)
has "delay answer" "$(get $T/getMe)" '"ok":true'
dt=$(($(now_ms) - t0))
[ $dt -ge 650 ] && ok || bad "delay_ms=700 took ${dt}ms"
has "bad fault" "$(code -H "$J" -d '{"method":"x"}' $B/control/fault)" '400 {"error":"fault has no effect'
has "faults served" "$(get $B/control/stats)" '"faults_served":7,"faults_pending":0'

# --- zalo ---------------------------------------------------------------
has "zalo push msg" "$(post $B/control/zalo/update '{"message_id":"m1","date":1766619597466,"chat":{"id":"u1","chat_type":"PRIVATE"},"from":{"id":"u1","display_name":"An","is_bot":false},"text":"Xin chào"}')" '"queued":1,"pending":1'
has "zalo push wrapped" "$(post $B/control/zalo/update '[{"event_name":"message.image.received","message":{"message_id":"m2","chat":{"id":"u1"}}}]')" '"queued":1,"pending":2'
has "zalo get 1" "$(post $Z/getUpdates '{"timeout":"1"}')" '{"ok":true,"result":{"event_name":"message.text.received","message":{"message_id":"m1","date":1766619597466,'
has "zalo get 2" "$(post $Z/getUpdates '{"timeout":1}')" '{"ok":true,"result":{"event_name":"message.image.received","message":{"message_id":"m2",'
t0=$(now_ms)
has "zalo idle 408" "$(code -H "$J" -d '{"timeout":"1"}' $Z/getUpdates)" '200 {"ok":false,"error_code":408,"description":"Request timeout"}'
dt=$(($(now_ms) - t0))
[ $dt -ge 900 ] && ok || bad "zalo timeout=1 took ${dt}ms"
post $B/control/fault '{"platform":"zalo","method":"getUpdates","idle_status":408}' >/dev/null
has "zalo idle http 408" "$(code -H "$J" -d '{"timeout":"0"}' $Z/getUpdates)" '408 {"ok":false,"error_code":408'
# long poll wakes on push
curl -s -H "$J" -d '{"timeout":"5"}' $Z/getUpdates >"$tmp/zlp" &
lp=$!
sleep 0.3
post $B/control/zalo/update '{"message_id":"m3","text":"x"}' >/dev/null
wait $lp
has "zalo long poll" "$(cat "$tmp/zlp")" '"message":{"message_id":"m3","text":"x"}'
# redeliver
post $B/control/fault '{"platform":"zalo","method":"getUpdates","redeliver":true}' >/dev/null
post $B/control/zalo/update '[{"message_id":"m4","text":"d"},{"message_id":"m5","text":"e"}]' >/dev/null
has "redeliver 1" "$(post $Z/getUpdates '{"timeout":"1"}')" '"message_id":"m4"'
has "redeliver 2" "$(post $Z/getUpdates '{"timeout":"1"}')" '"message_id":"m4"'
has "redeliver 3" "$(post $Z/getUpdates '{"timeout":"1"}')" '"message_id":"m5"'
has "zalo send" "$(post $Z/sendMessage '{"chat_id":"u1","text":"chào"}')" '{"ok":true,"result":{"message_id":"fakezmsg000000000001","date":1'
has "zalo action" "$(post $Z/sendChatAction '{"chat_id":"u1","action":"typing"}')" '"ok":true'
has "zalo getMe" "$(post $Z/getMe '{}')" '"account_name":"fake_bot"'
has "zalo bad token" "$(code -X POST $B/zalo/botbad/getMe)" '401 '
post $B/control/fault '{"platform":"zalo","method":"sendMessage","status":429}' >/dev/null
has "zalo 429" "$(code -H "$J" -d '{"chat_id":"u1","text":"z"}' $Z/sendMessage)" '429 {"ok":false,"error_code":429,"description":"Too Many Requests"}'
has "zalo sent list" "$(get "$B/control/sent?platform=zalo&method=sendMessage")" '"platform":"zalo","method":"sendMessage","params":{"chat_id":"u1","text":"chào"}'
hasnt "zalo sent excl fault" "$(get "$B/control/sent?platform=zalo")" '"text":"z"'

# --- getChatMember and chat-scoped faults -------------------------------
has "member default" "$(post $T/getChatMember '{"chat_id":-100500,"user_id":701}')" '"result":{"status":"member","user":{"id":701'
has "member script" "$(post $B/control/telegram/member '{"user_id":701,"status":"left"}')" '{"ok":true}'
post $B/control/telegram/member '{"chat_id":-100600,"user_id":701,"status":"administrator"}' >/dev/null
has "member scripted" "$(post $T/getChatMember '{"chat_id":"-100500","user_id":"701"}')" '"status":"left"'
has "member per chat" "$(post $T/getChatMember '{"chat_id":-100600,"user_id":701}')" '"status":"administrator"'
has "member bad script" "$(code -H "$J" -d '{"status":"left"}' $B/control/telegram/member)" '400 {"error":"need user_id'
post $B/control/fault '{"method":"sendMessage","chat_id":-100500,"count":-1,"status":400,"migrate_to_chat_id":-1009}' >/dev/null
has "chat fault other chat" "$(post $T/sendMessage '{"chat_id":42,"text":"x"}')" '"ok":true'
has "chat fault hits" "$(post $T/sendMessage '{"chat_id":"-100500","text":"x"}')" '"parameters":{"migrate_to_chat_id":-1009}'
has "chat fault again" "$(post $T/sendMessage '{"chat_id":-100500,"text":"x"}')" '"error_code":400'
has "chat fault type" "$(code -H "$J" -d '{"chat_id":true,"status":500}' $B/control/fault)" '400 {"error":"chat_id must be'
curl -s -X POST $B/control/fault/clear >/dev/null

# --- waiting list query ----------------------------------------------
since=$(get "$B/control/sent" | grep -o '"seq":[0-9]*' | tail -n 1 | cut -d: -f2)
(sleep 0.3; post $Z/sendMessage '{"chat_id":"u2","text":"later"}' >/dev/null) &
bg=$!
has "sent wait" "$(get "$B/control/sent?since=$since&min=1&wait_ms=3000")" '"text":"later"'
wait $bg

# --- zalo official account: the cs endpoint and the token endpoint ----
O=$B/oa/v3.0/oa/message/cs
A=$B/oauth/v4/oa/access_token
tok() { curl -s -H 'secret_key: appsecret' --data-urlencode app_id=123 \
	--data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$1" $A; }
cs() { curl -s -H "$J" -H "access_token: $1" -d "$2" $O; }
M='{"recipient":{"user_id":"u1"},"message":{"text":"chào bác"}}'
has "oa send, no token" "$(post $O "$M")" '{"error":-216,"message":"Access token is invalid"}'
has "oa send, unknown token" "$(cs nope "$M")" '"error":-216'
has "oa first refresh" "$(tok R0)" '{"access_token":"fake-at-1","refresh_token":"fake-rt-1","expires_in":"3600"}'
has "oa refresh token single-use" "$(tok R0)" '{"error":-14014,"error_name":"Invalid refresh token"'
has "oa rotated" "$(tok fake-rt-1)" '"access_token":"fake-at-2","refresh_token":"fake-rt-2"'
has "oa spent again" "$(tok fake-rt-1)" '"error":-14014'
has "oa no secret_key" "$(curl -s --data-urlencode app_id=1 --data-urlencode grant_type=refresh_token --data-urlencode refresh_token=fake-rt-2 $A)" '"error":-14001'
has "oa send" "$(cs fake-at-2 "$M")" '{"error":0,"message":"Success","data":{"message_id":"fakeoa000000000001","user_id":"u1"}}'
has "oa older access token still good" "$(cs fake-at-1 "$M")" '"error":0'
long=$(head -c 2001 /dev/zero | tr '\0' 'a')
has "oa text over 2000" "$(cs fake-at-2 "{\"recipient\":{\"user_id\":\"u1\"},\"message\":{\"text\":\"$long\"}}")" '"error":-201'
has "oa no recipient" "$(cs fake-at-2 '{"message":{"text":"x"}}')" '"error":-201'
has "oa sent list" "$(get "$B/control/sent?platform=zalo_oa&method=message/cs")" '"platform":"zalo_oa","method":"message/cs","params":{"recipient":{"user_id":"u1"},"message":{"text":"chào bác"}}'
has "oa rejected list" "$(get "$B/control/rejected?platform=zalo_oa")" '"error":"invalid access token"'
post $B/control/fault '{"platform":"zalo_oa","method":"message/cs","oa_error":-216}' >/dev/null
has "oa fault -216" "$(code -H "$J" -H 'access_token: fake-at-2' -d "$M" $O)" '200 {"error":-216,"message":"Access token is invalid"}'
has "oa after fault" "$(cs fake-at-2 "$M")" '"error":0'
post $B/control/fault '{"platform":"zalo_oa","method":"message/cs","status":502}' >/dev/null
has "oa 5xx" "$(code -H "$J" -H 'access_token: fake-at-2' -d "$M" $O)" '502 '
post $B/control/fault '{"platform":"zalo_oa","method":"access_token","oa_error":-14014,"description":"Refresh token is expired"}' >/dev/null
has "oa expired refresh" "$(tok fake-rt-2)" '"error":-14014,"error_name":"Refresh token is expired"'
has "oa not rotated by the fault" "$(get $B/control/oa/tokens)" '"refresh_token":"fake-rt-2"'
post $B/control/fault '{"platform":"zalo_oa","method":"access_token","delay_ms":700}' >/dev/null
t0=$(now_ms)
has "oa slow refresh" "$(tok fake-rt-2)" '"refresh_token":"fake-rt-3"'
dt=$(($(now_ms) - t0))
[ $dt -ge 650 ] && ok || bad "oa delay_ms=700 took ${dt}ms"
post $B/control/fault '{"platform":"zalo_oa","method":"access_token","drop_after":true}' >/dev/null
tok fake-rt-3 >/dev/null 2>&1
eq "oa drop_after -> empty reply (curl 52)" "$?" 52
has "oa rotated although dropped" "$(get $B/control/oa/tokens)" '"refresh_token":"fake-rt-4","issued":4'
has "oa the dropped call is in sent" "$(get "$B/control/sent?platform=zalo_oa&method=access_token")" '"dropped":true'
has "oa spent by the drop" "$(tok fake-rt-3)" '"error":-14014'
has "oa script tokens" "$(post $B/control/oa/tokens '{"refresh_token":"SCRIPTED","access_token":"AT-S","expires_in":60}')" '{"ok":true}'
has "oa scripted access token" "$(cs AT-S "$M")" '"error":0'
has "oa scripted refresh token" "$(tok SCRIPTED)" '"refresh_token":"fake-rt-5","expires_in":"60"'
post $B/control/oa/tokens '{"expire_access":true}' >/dev/null
has "oa expired access token" "$(cs fake-at-5 "$M")" '"error":-216'
has "oa unknown path" "$(code $B/oa/v2.0/oa/message)" '404 '
has "oa bad fault field" "$(code -H "$J" -d '{"platform":"zalo_oa","oa_error":"x"}' $B/control/fault)" '400 {"error":"status, retry_after'
has "oa log hides nothing secret" "$(grep -c 'secret' "$tmp/log")" '0'

# --- stats, log, reset -------------------------------------------------
st=$(get $B/control/stats)
has "stats getUpdates" "$st" '"getUpdates":{"telegram":'
has "stats sent" "$st" '"zalo":{"sendMessage":2,"sendChatAction":1,"getMe":1}'
has "log token hidden" "$(cat "$tmp/log")" 'POST /zalo/bot<token>/sendMessage 200'
has "log drop" "$(cat "$tmp/log")" 'GET /bot<token>/getMe drop'
hasnt "log no secret" "$(cat "$tmp/log")" 'SECRET-tok'
# --- webhook: getUpdates refused while one is set -----------------------
post $T/setWebhook '{"url":"https://example.org/h"}' >/dev/null
has "webhook info" "$(get $T/getWebhookInfo)" '"url":"https://example.org/h"'
has "webhook 409" "$(code "$T/getUpdates?timeout=0")" "409 {\"ok\":false,\"error_code\":409,\"description\":\"Conflict: can't use getUpdates method while webhook is active"
has "webhook rejected" "$(get "$B/control/rejected?method=getUpdates")" '"error":"webhook is active"'
post $T/deleteWebhook '{}' >/dev/null
has "webhook gone" "$(code "$T/getUpdates?timeout=0")" '200 {"ok":true,"result":'

# --- a fault for one chat only -----------------------------------------
post $B/control/fault '{"platform":"telegram","method":"sendMessage","chat_id":-100500,"status":429,"retry_after":3}' >/dev/null
has "chat fault, other chat" "$(code -H "$J" -d '{"chat_id":77,"text":"a"}' $T/sendMessage)" '200 '
has "chat fault, as string" "$(code -H "$J" -d '{"chat_id":"-100500","text":"a"}' $T/sendMessage)" '429 {"ok":false,"error_code":429'
has "chat fault, used up" "$(code -H "$J" -d '{"chat_id":-100500,"text":"a"}' $T/sendMessage)" '200 '
has "chat fault, bad type" "$(code -H "$J" -d '{"status":500,"chat_id":true}' $B/control/fault)" '400 {"error":"chat_id must be'

has "reset" "$(curl -s -X POST $B/control/reset)" '{"ok":true}'
st=$(get $B/control/stats)
has "reset stats" "$st" '"pending":{"telegram":0,"zalo":0,"zalo_oa":0},"sent":{"telegram":{},"zalo":{},"zalo_oa":{}},"rejected":{"telegram":0,"zalo":0,"zalo_oa":0},"faults_served":0'
eq "reset oa tokens" "$(get $B/control/oa/tokens)" '{"refresh_token":null,"issued":0,"access_tokens":0,"expires_in":3600}'
eq "reset sent" "$(get $B/control/sent)" '[]'
has "ids restart" "$(post $B/control/telegram/update '{"message":{"text":"z"}}')" '{"update_id":1}'

# --- clean shutdown with a long poll pending ----------------------------
curl -s "$T/getUpdates?offset=5&timeout=30" >/dev/null &
lp=$!
sleep 0.3
t0=$(now_ms)
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
dt=$(($(now_ms) - t0))
eq "exit status on SIGTERM" "$rc" 0
[ $dt -lt 3000 ] && ok || bad "shutdown took ${dt}ms"
wait $lp 2>/dev/null
[ ! -e "$tmp/port" ] && ok || bad "portfile not removed"
# sanitizer builds report on stderr; anything unexpected there is a failure
if grep -E 'Sanitizer|runtime error|LeakSanitizer' "$tmp/stderr" >/dev/null; then
	bad "sanitizer report:"
	cat "$tmp/stderr" >&2
fi
[ -n "${FAKEAPI_SHOW_STDERR:-}" ] && cat "$tmp/stderr" >&2

echo "fakeapi selftest: $pass passed, $fails failed"
[ $fails -eq 0 ]
