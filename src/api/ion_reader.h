// Reading Amazon Ion text for ImportTable's ION format: the items of a
// stream of top-level values `{Item:{...}}`, as exports write them
// (ion_text.h), in the part of Ion text that DynamoDB's Ion uses:
//
//   stream  := (ws | '$ion_1_0' | value)*
//   value   := annotation* (struct | list | string | blob | number | bool | null | symbol)
//   annotation := symbol '::'                       $dynamodb_SS, $dynamodb_NS, $dynamodb_BS
//   struct  := '{' (field ':' value (',' field ':' value)* ','?)? '}'
//   field   := symbol | string
//   list    := '[' (value (',' value)* ','?)? ']'
//   string  := '"' chars '"' | ("'''" chars "'''")+  escapes \" \' \\ \/ \n \r \t \0 \a \b \f \v \xHH \uHHHH \UHHHHHHHH
//   symbol  := identifier | "'" chars "'"
//   blob    := '{{' base64 '}}'
//   number  := an Ion int (decimal, 0x hex, 0b binary), decimal (d exponent) or float
//              (e exponent), '_' between digits
//   null    := 'null' ('.' type)?
//   ws      := spaces, tabs, newlines, '//' to the end of the line, '/* ... */'
//
// Values map to DynamoDB's types: struct -> M, list -> L (SS, NS, BS when
// annotated), string and symbol -> S, number -> N, blob -> B, bool -> BOOL,
// any null -> NULL.
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"
#include "model/attribute_value.h"

namespace basalt::api {

// Calls `visit` with each top-level value's Item, or with the error of a
// value that is not `{Item:{...}}` of valid attribute values. A syntax error
// ends the stream: it is visited as an error and the rest is not read.
// Stops early with the first error `visit` returns.
Status ReadIonItems(std::string_view text, const std::function<Status(Result<model::Item>)>& visit);

}  // namespace basalt::api
