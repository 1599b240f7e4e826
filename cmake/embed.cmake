# embed.cmake — turn the file IN into a C source OUT defining
#   const char os_default_rules[]; const unsigned long os_default_rules_len;
# Run as: cmake -DIN=... -DOUT=... -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
  "/* Generated from ${name} by cmake/embed.cmake. Do not edit. */\n"
  "const char os_default_rules_name[] = \"<built-in ${name}>\";\n"
  "const char os_default_rules[] = {\n${bytes}0x00};\n"
  "const unsigned long os_default_rules_len = ${len}UL;\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
