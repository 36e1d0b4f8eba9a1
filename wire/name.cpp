#include "wire/name.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

#include "wire/ascii.hpp"
#include "wire/name_internal.hpp"

namespace dkimdoctor::wire {

namespace {

// `n` octets of two names' wire forms, ASCII case-insensitively, eight at a time. Length octets
// (at most 63) are below 'A', so folding them changes nothing.
bool equal_folded(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (ascii::lower8(x) != ascii::lower8(y)) return false;
  }
  if (i == n) return true;
  std::uint64_t x = 0, y = 0;
  std::memcpy(&x, a + i, n - i);
  std::memcpy(&y, b + i, n - i);
  return ascii::lower8(x) == ascii::lower8(y);
}

// Offsets of each label in a valid wire name; returns the count.
std::size_t label_offsets(std::span<const std::uint8_t> w, std::array<std::uint8_t, 128>& offs) noexcept {
  std::size_t n = 0, p = 0;
  while (w[p] != 0) {
    offs[n++] = static_cast<std::uint8_t>(p);
    p += 1 + w[p];
  }
  return n;
}

}  // namespace

WireResult<Name> read_name(std::span<const std::uint8_t> message, std::size_t offset, std::size_t* next_offset) {
  Name n;
  Error err{};
  const std::size_t next = decode_name_into(message, offset, n, err);
  if (!next) return Unexpected<Error>{err};
  if (next_offset) *next_offset = next;
  return n;
}

WireResult<std::size_t> skip_name(std::span<const std::uint8_t> message, std::size_t offset) {
  Error err{};
  std::size_t len = 0, labels = 0;
  const std::size_t next = walk_name<false>(message.data(), message.size(), offset, nullptr, len, labels, err);
  if (!next) return Unexpected<Error>{err};
  return next;
}

WireResult<Name> Name::from_wire(std::span<const std::uint8_t> wire) {
  // A bare name has nothing to point into: any pointer is "into the header" relative to offset 0, so
  // walk it as a message and reject pointers explicitly.
  for (std::size_t p = 0; p < wire.size() && wire[p] != 0; p += 1 + wire[p]) {
    if ((wire[p] & 0xC0) == 0xC0) return fail(Errc::pointer_forward, p);
  }
  std::size_t next = 0;
  auto r = read_name(wire, 0, &next);
  if (!r) return r;
  if (next != wire.size()) return fail(Errc::bad_text, next);
  return r;
}

WireResult<Name> Name::parse(std::string_view text) {
  Name n;
  if (text.empty() || text == ".") return n;
  // Into scratch: the length is known only at the end.
  NameScratch b;
  std::size_t len = 0, labels = 0;
  std::size_t i = 0;
  const std::size_t size = text.size();
  while (i < size) {
    // One label: text[i..] up to an unescaped '.'.
    const std::size_t label_pos = len;
    const std::size_t label_start = i;
    if (len + 1 > kMaxNameLength - 1) return fail(Errc::name_too_long, i);
    ++len;  // room for the length octet
    std::size_t label_len = 0;
    while (i < size && text[i] != '.') {
      std::uint8_t c = static_cast<std::uint8_t>(text[i]);
      const std::size_t at = i;
      if (c == '\\') {
        if (i + 1 >= size) return fail(Errc::bad_escape, i);
        const char d0 = text[i + 1];
        if (d0 >= '0' && d0 <= '9') {
          if (i + 3 >= size) return fail(Errc::bad_escape, i);
          const char d1 = text[i + 2], d2 = text[i + 3];
          if (d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9') return fail(Errc::bad_escape, i);
          const int v = (d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0');
          if (v > 255) return fail(Errc::bad_escape, i);
          c = static_cast<std::uint8_t>(v);
          i += 4;
        } else {
          c = static_cast<std::uint8_t>(d0);
          i += 2;
        }
      } else {
        ++i;
      }
      if (label_len == kMaxLabelLength) return fail(Errc::label_too_long, at);
      if (len + 1 > kMaxNameLength - 1) return fail(Errc::name_too_long, at);
      b[len++] = c;
      ++label_len;
    }
    if (label_len == 0) return fail(Errc::empty_label, label_start);
    b[label_pos] = static_cast<std::uint8_t>(label_len);
    ++labels;
    if (i < size) ++i;  // skip the '.'
  }
  b[len++] = 0;
  NameAccess::assign(n, b, len, labels);
  return n;
}

namespace {

// Octets printed as they are in a name's presentation form: printable ASCII other than the ones
// RFC 1035 §5.1 and zone-file syntax make special.
constexpr std::array<bool, 256> kPlainInName = [] {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7E; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : {'.', ';', '\\', '(', ')', '"', '@', '$'}) t[static_cast<unsigned char>(c)] = false;
  return t;
}();

}  // namespace

void Name::append_to(std::string& out) const {
  if (labels_ == 0) {
    out.push_back('.');
    return;
  }
  // Nearly every name is plain octets only, and then its presentation is its wire form shifted one to the
  // left with each length octet (and the final 0) become the dot after the label before it: one copy, no
  // append per label. Only the labels' octets are looked at: a length octet can itself be a plain octet
  // (45 is '-', 48-57 the digits), so counting every octet that is not plain would miss an escape.
  const std::uint8_t* w = data();
  bool plain = true;
  for (std::size_t q = 0; w[q] != 0; q += 1u + w[q])
    for (std::size_t k = q + 1; k <= q + w[q]; ++k) plain = plain && kPlainInName[w[k]];
  if (plain) {
    const std::size_t at = out.size();
    out.resize(at + len_ - 1u);
    char* dst = out.data() + at;
    std::memcpy(dst, w + 1, len_ - 1u);
    for (std::size_t q = 0; w[q] != 0; q += 1u + w[q]) dst[q + w[q]] = '.';
    return;
  }
  std::size_t p = 0;
  while (w[p] != 0) {
    const std::size_t end = p + 1 + w[p];
    std::size_t k = p + 1;
    while (k < end) {
      // A run of plain octets goes out in one append (labels are mostly nothing else).
      std::size_t run = k;
      while (run < end && kPlainInName[w[run]]) ++run;
      out.append(reinterpret_cast<const char*>(w + k), run - k);
      if (run == end) break;
      const std::uint8_t c = w[run];
      out.push_back('\\');
      if (c >= 0x21 && c <= 0x7E) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back(static_cast<char>('0' + c / 100));
        out.push_back(static_cast<char>('0' + (c / 10) % 10));
        out.push_back(static_cast<char>('0' + c % 10));
      }
      k = run + 1;
    }
    out.push_back('.');
    p = end;
  }
}

std::string Name::to_string() const {
  std::string s;
  s.reserve(len_ + 8);
  append_to(s);
  return s;
}

std::string_view Name::label(std::size_t i) const noexcept {
  const std::uint8_t* w = data();
  std::size_t p = 0;
  for (; i > 0 && w[p] != 0; --i) p += 1 + w[p];
  return {reinterpret_cast<const char*>(w) + p + 1, w[p]};
}

Name Name::suffix(std::size_t labels) const {
  if (labels >= labels_) return *this;
  const std::uint8_t* w = data();
  std::size_t p = 0;
  for (std::size_t skip = labels_ - labels; skip > 0; --skip) p += 1 + w[p];
  Name n;
  NameAccess::assign(n, w + p, len_ - p, labels);
  return n;
}

Name Name::parent() const { return labels_ == 0 ? *this : suffix(labels_ - 1u); }

bool Name::is_subdomain_of(const Name& ancestor) const noexcept {
  if (ancestor.labels_ > labels_ || ancestor.len_ > len_) return false;
  // Compared in place: skip the labels this name has in front of the ancestor's.
  const std::uint8_t* w = data();
  std::size_t p = 0;
  for (std::size_t skip = labels_ - ancestor.labels_; skip > 0; --skip) p += 1 + w[p];
  return len_ - p == ancestor.len_ && equal_folded(w + p, ancestor.data(), ancestor.len_);
}

WireResult<Name> Name::prepend(std::string_view raw_label) const {
  if (raw_label.empty()) return fail(Errc::empty_label, 0);
  if (raw_label.size() > kMaxLabelLength) return fail(Errc::label_too_long, 0);
  if (len_ + 1 + raw_label.size() > kMaxNameLength) return fail(Errc::name_too_long, 0);
  Name n;
  std::uint8_t* b = NameAccess::storage(n, len_ + 1 + raw_label.size(), labels_ + 1u);
  b[0] = static_cast<std::uint8_t>(raw_label.size());
  std::memcpy(b + 1, raw_label.data(), raw_label.size());
  std::memcpy(b + 1 + raw_label.size(), data(), len_);
  return n;
}

WireResult<Name> Name::append(const Name& origin) const {
  const std::size_t total = (len_ - 1u) + origin.len_;
  if (total > kMaxNameLength) return fail(Errc::name_too_long, 0);
  Name n;
  std::uint8_t* b = NameAccess::storage(n, total, labels_ + origin.labels_);
  std::memcpy(b, data(), len_ - 1u);
  std::memcpy(b + len_ - 1, origin.data(), origin.len_);
  return n;
}

bool Name::operator==(const Name& other) const noexcept {
  return len_ == other.len_ && labels_ == other.labels_ && equal_folded(data(), other.data(), len_);
}

bool Name::equals_exact(const Name& other) const noexcept {
  return len_ == other.len_ && std::memcmp(data(), other.data(), len_) == 0;
}

int Name::canonical_compare(const Name& other) const noexcept {
  // RFC 4034 §6.1: compare label by label from the rightmost, each label as lowercased octet strings
  // where a shorter label that is a prefix sorts first; a name with fewer labels sorts first.
  std::array<std::uint8_t, 128> a{}, b{};
  const std::size_t na = label_offsets(wire(), a), nb = label_offsets(other.wire(), b);
  std::size_t ia = na, ib = nb;
  while (ia > 0 && ib > 0) {
    --ia;
    --ib;
    const std::uint8_t* la = data() + a[ia];
    const std::uint8_t* lb = other.data() + b[ib];
    const std::size_t m = std::min(la[0], lb[0]);
    for (std::size_t k = 1; k <= m; ++k) {
      const int d = int(ascii::lower(la[k])) - int(ascii::lower(lb[k]));
      if (d != 0) return d;
    }
    if (la[0] != lb[0]) return int(la[0]) - int(lb[0]);
  }
  return int(na) - int(nb);
}

Name Name::lowercased() const {
  Name n = *this;
  // Whole words up to the last whole one, then octets (length octets are unaffected by folding).
  std::uint8_t* b = n.data();
  std::size_t i = 0;
  for (; i + 8 <= len_; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b + i, 8);
    w = ascii::lower8(w);
    std::memcpy(b + i, &w, 8);
  }
  for (; i < len_; ++i) b[i] = ascii::lower(b[i]);
  return n;
}

std::uint8_t* Name::copy_heap(const Name& other) {
  auto* p = static_cast<std::uint8_t*>(::operator new(heap_size(other.len_)));
  std::memcpy(p, other.heap(), other.len_);
  return p;
}

Name& Name::operator=(const Name& other) {
  if (this == &other) return *this;
  if (!other.on_heap()) {
    release();
    inline_ = other.inline_;
  } else if (on_heap() && heap_size(len_) == heap_size(other.len_)) {
    std::memcpy(heap(), other.heap(), other.len_);  // the buffer fits: reuse it
  } else {
    std::uint8_t* p = copy_heap(other);  // before release: a failed allocation leaves *this as it was
    release();
    set_heap(p);
  }
  len_ = other.len_;
  labels_ = other.labels_;
  return *this;
}

std::size_t NameHash::operator()(const Name& name) const noexcept {
  // Keyed per process: the names hashed here come from zones and input anyone can write.
  static const std::uint64_t seed = [] {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
  }();
  return static_cast<std::size_t>(ascii::hash_folded(seed, name.wire().data(), name.wire_length()));
}

}  // namespace dkimdoctor::wire
