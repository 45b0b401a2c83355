/* test-checksum.c — "ALGO:HEX" expected checksums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "haul-checksum.h"

/* Digests of the empty string, as a real checksum file would carry them. */
#define MD5_EMPTY    "d41d8cd98f00b204e9800998ecf8427e"
#define SHA1_EMPTY   "da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA512_EMPTY "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" \
                     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"

static void
test_parse_valid (void)
{
  static const struct {
    const char    *spec;
    GChecksumType  type;
    const char    *hex;
  } cases[] = {
    { "md5:" MD5_EMPTY,       G_CHECKSUM_MD5,    MD5_EMPTY },
    { "sha1:" SHA1_EMPTY,     G_CHECKSUM_SHA1,   SHA1_EMPTY },
    { "sha256:" SHA256_EMPTY, G_CHECKSUM_SHA256, SHA256_EMPTY },
    { "sha512:" SHA512_EMPTY, G_CHECKSUM_SHA512, SHA512_EMPTY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *hex = NULL;
      g_autofree char *computed = NULL;
      GChecksumType type = (GChecksumType) -1;

      g_assert_true (haul_checksum_parse (cases[i].spec, &type, &hex, &error));
      g_assert_no_error (error);
      g_assert_cmpint (type, ==, cases[i].type);
      g_assert_cmpstr (hex, ==, cases[i].hex);

      /* The parsed digest matches what GChecksum computes for "". */
      computed = g_compute_checksum_for_string (type, "", 0);
      g_assert_cmpstr (hex, ==, computed);
    }
}

/* Algorithm names are case-insensitive and the digest comes back lower-case. */
static void
test_parse_case (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = g_ascii_strup (SHA256_EMPTY, -1);
  g_autofree char *spec = g_strconcat ("SHA256:", upper, NULL);
  g_autofree char *mixed = g_strconcat ("Sha256:", "E3B0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855", NULL);
  g_autofree char *hex = NULL;
  g_autofree char *hex2 = NULL;
  GChecksumType type = G_CHECKSUM_MD5;

  g_assert_true (haul_checksum_parse (spec, &type, &hex, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, G_CHECKSUM_SHA256);
  g_assert_cmpstr (hex, ==, SHA256_EMPTY);

  g_assert_true (haul_checksum_parse (mixed, NULL, &hex2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (hex2, ==, SHA256_EMPTY);

  g_assert_true (haul_checksum_parse ("MD5:" MD5_EMPTY, &type, NULL, NULL));
  g_assert_cmpint (type, ==, G_CHECKSUM_MD5);
}

/* Out-parameters are optional. */
static void
test_parse_null_outs (void)
{
  g_assert_true (haul_checksum_parse ("sha1:" SHA1_EMPTY, NULL, NULL, NULL));
  g_assert_false (haul_checksum_parse ("sha1:", NULL, NULL, NULL));
}

static void
assert_rejected (const char *spec,
                 const char *message_part)
{
  g_autoptr(GError) error = NULL;
  char *hex = NULL;
  GChecksumType type = (GChecksumType) 12345;

  g_assert_false (haul_checksum_parse (spec, &type, &hex, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, message_part));
  /* Nothing is written on failure. */
  g_assert_null (hex);
  g_assert_cmpint (type, ==, 12345);
}

static void
test_parse_no_colon (void)
{
  assert_rejected (SHA256_EMPTY, "must look like ALGORITHM:HEX");
  assert_rejected ("", "must look like ALGORITHM:HEX");
  assert_rejected ("sha256", "must look like ALGORITHM:HEX");
  assert_rejected ("sha256=" SHA256_EMPTY, "must look like ALGORITHM:HEX");
}

static void
test_parse_unknown_algorithm (void)
{
  assert_rejected ("sha384:" SHA256_EMPTY, "Unknown checksum algorithm “sha384”");
  assert_rejected ("crc32:12345678", "Unknown checksum algorithm “crc32”");
  assert_rejected (":" SHA256_EMPTY, "Unknown checksum algorithm “”");
  assert_rejected ("sha-256:" SHA256_EMPTY, "Unknown checksum algorithm “sha-256”");
  /* Whitespace is not trimmed around the name. */
  assert_rejected (" sha256:" SHA256_EMPTY, "Unknown checksum algorithm “ sha256”");
  /* The name in the message is shown in lower case. */
  assert_rejected ("WHIRLPOOL:00", "Unknown checksum algorithm “whirlpool”");
}

static void
test_parse_wrong_length (void)
{
  assert_rejected ("sha256:", "A sha256 checksum has 64 hexadecimal digits, not 0");
  assert_rejected ("sha256:" MD5_EMPTY, "A sha256 checksum has 64 hexadecimal digits, not 32");
  assert_rejected ("md5:" SHA256_EMPTY, "A md5 checksum has 32 hexadecimal digits, not 64");
  assert_rejected ("sha1:" SHA1_EMPTY "0", "A sha1 checksum has 40 hexadecimal digits, not 41");
  assert_rejected ("sha512:" SHA256_EMPTY, "A sha512 checksum has 128 hexadecimal digits, not 64");
  /* A trailing newline from a checksum file is a wrong length, not ignored. */
  assert_rejected ("sha256:" SHA256_EMPTY "\n", "not 65");
  /* So is a second colon. */
  assert_rejected ("sha256::" SHA256_EMPTY, "not 65");
}

static void
test_parse_not_hex (void)
{
  /* Right length, but a 'g' in it. */
  assert_rejected ("md5:d41d8cd98f00b204e9800998ecf8427g", "not hexadecimal");
  assert_rejected ("md5:d41d8cd98f00b204e980 998ecf8427e", "not hexadecimal");
  assert_rejected ("md5:-41d8cd98f00b204e9800998ecf8427e", "not hexadecimal");
  assert_rejected ("md5:d41d8cd98f00b204e9800998ecf842\t7", "not hexadecimal");
  /* Non-ASCII bytes: 31 ASCII digits + one two-byte character is 33 bytes. */
  assert_rejected ("md5:d41d8cd98f00b204e9800998ecf8427é", "not 33");
  /* 30 ASCII digits + one two-byte character is the right length, not hex. */
  assert_rejected ("md5:d41d8cd98f00b204e9800998ecf842é", "not hexadecimal");
}

static void
test_type_name (void)
{
  g_assert_cmpstr (haul_checksum_type_name (G_CHECKSUM_MD5), ==, "md5");
  g_assert_cmpstr (haul_checksum_type_name (G_CHECKSUM_SHA1), ==, "sha1");
  g_assert_cmpstr (haul_checksum_type_name (G_CHECKSUM_SHA256), ==, "sha256");
  g_assert_cmpstr (haul_checksum_type_name (G_CHECKSUM_SHA512), ==, "sha512");
  g_assert_cmpstr (haul_checksum_type_name (G_CHECKSUM_SHA384), ==, "unknown");
  g_assert_cmpstr (haul_checksum_type_name ((GChecksumType) 999), ==, "unknown");
}

/* The name of every supported type parses back to the same type. */
static void
test_round_trip (void)
{
  static const GChecksumType types[] = {
    G_CHECKSUM_MD5, G_CHECKSUM_SHA1, G_CHECKSUM_SHA256, G_CHECKSUM_SHA512,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *digest = g_compute_checksum_for_string (types[i], "haul", -1);
      g_autofree char *spec = g_strdup_printf ("%s:%s", haul_checksum_type_name (types[i]), digest);
      g_autofree char *hex = NULL;
      GChecksumType type = (GChecksumType) -1;

      g_assert_true (haul_checksum_parse (spec, &type, &hex, NULL));
      g_assert_cmpint (type, ==, types[i]);
      g_assert_cmpstr (hex, ==, digest);
      g_assert_cmpuint (strlen (hex), ==, (gsize) g_checksum_type_get_length (types[i]) * 2);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haul/core/checksum/parse/valid", test_parse_valid);
  g_test_add_func ("/haul/core/checksum/parse/case", test_parse_case);
  g_test_add_func ("/haul/core/checksum/parse/null-outs", test_parse_null_outs);
  g_test_add_func ("/haul/core/checksum/parse/no-colon", test_parse_no_colon);
  g_test_add_func ("/haul/core/checksum/parse/unknown-algorithm", test_parse_unknown_algorithm);
  g_test_add_func ("/haul/core/checksum/parse/wrong-length", test_parse_wrong_length);
  g_test_add_func ("/haul/core/checksum/parse/not-hex", test_parse_not_hex);
  g_test_add_func ("/haul/core/checksum/type-name", test_type_name);
  g_test_add_func ("/haul/core/checksum/round-trip", test_round_trip);

  return g_test_run ();
}
