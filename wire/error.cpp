#include "wire/error.hpp"

namespace dkimdoctor::wire {

const char* describe(Errc code) {
  switch (code) {
    case Errc::truncated: return "message truncated";
    case Errc::label_too_long: return "label longer than 63 octets";
    case Errc::name_too_long: return "name longer than 255 octets";
    case Errc::bad_label_type: return "unsupported label type";
    case Errc::pointer_forward: return "compression pointer not pointing backwards";
    case Errc::pointer_loop: return "compression pointer loop";
    case Errc::too_many_pointers: return "too many compression pointers";
    case Errc::pointer_into_header: return "compression pointer into the header";
    case Errc::count_too_large: return "section count larger than the message can hold";
    case Errc::rdata_length_mismatch: return "RDATA does not match RDLENGTH";
    case Errc::bad_rdata: return "malformed RDATA";
    case Errc::multiple_opt: return "more than one OPT record";
    case Errc::opt_not_in_additional: return "OPT record outside the additional section";
    case Errc::opt_bad_owner: return "OPT record owner is not the root";
    case Errc::bad_escape: return "bad escape sequence";
    case Errc::bad_text: return "malformed presentation text";
    case Errc::empty_label: return "empty label";
    case Errc::unknown_type: return "unknown record type";
    case Errc::message_too_large: return "message exceeds its size limit";
    case Errc::message_truncated: return "message truncated (TC set), record not added";
    case Errc::section_order: return "records added out of section order";
    case Errc::too_many_records: return "too many records in a section";
    case Errc::rcode_needs_edns: return "extended RCODE without an OPT record";
    case Errc::builder_finished: return "message builder already finished";
  }
  return "unknown error";
}

std::string to_string(const Error& error) {
  return std::string(describe(error.code)) + " at offset " + std::to_string(error.offset);
}

}  // namespace dkimdoctor::wire
