/* Test vectors for tests/test_tls_crypto.c from RFC 8448 section 3 (Simple
 * 1-RTT Handshake, TLS_AES_128_GCM_SHA256).  The RFC text itself was not at
 * hand; its values were taken from public test suites that quote it line by
 * line, and checked with Python's cryptography package: each record opens
 * under the RFC's keys to the RFC's plaintext, and each derived value is
 * HKDF-Expand-Label of the RFC's inputs. */
#ifndef SNITRACE_TEST_TLS_CRYPTO_VECTORS_H
#define SNITRACE_TEST_TLS_CRYPTO_VECTORS_H

/* Secrets and derived values, in the order the trace lists them. */
static const char rfc8448_early_secret[] =
    "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
static const char rfc8448_empty_hash[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char rfc8448_derived_early[] =
    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
static const char rfc8448_ecdhe[] =
    "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
static const char rfc8448_handshake_secret[] =
    "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
static const char rfc8448_hello_hash[] =
    "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
static const char rfc8448_c_hs_traffic[] =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
static const char rfc8448_s_hs_traffic[] =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
static const char rfc8448_derived_handshake[] =
    "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4";
static const char rfc8448_master_secret[] =
    "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
static const char rfc8448_s_finished_key[] =
    "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8";
static const char rfc8448_c_finished_key[] =
    "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4";
static const char rfc8448_finished_hash[] =
    "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
static const char rfc8448_c_ap_traffic[] =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
static const char rfc8448_s_ap_traffic[] =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
static const char rfc8448_exp_master[] =
    "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
static const char rfc8448_client_finished_hash[] =
    "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";
static const char rfc8448_res_master[] =
    "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";
static const char rfc8448_resumption_psk[] =
    "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";

/* Record keys: {server} and {client} handshake, then application. */
static const char rfc8448_s_hs_key[] = "3fce516009c21727d0f2e4e86ee403bc";
static const char rfc8448_s_hs_iv[] = "5d313eb2671276ee13000b30";
static const char rfc8448_c_hs_key[] = "dbfaa693d1762c5b666af5d950258d01";
static const char rfc8448_c_hs_iv[] = "5bd3c71b836e0b76bb73265f";
static const char rfc8448_s_ap_key[] = "9f02283b6c9c07efc26bb9f2ac92e356";
static const char rfc8448_s_ap_iv[] = "cf782b88dd83549aadf1e984";
static const char rfc8448_c_ap_key[] = "17422dda596ed5d9acd890e3c63f5051";
static const char rfc8448_c_ap_iv[] = "5b78923dee08579033e523d9";

/* EncryptedExtensions, Certificate, CertificateVerify and Finished (657 octets) */
static const char rfc8448_server_flight_plain[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c00024001"
    "000000000b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
    "864886f70d01010b0500300e310c300a06035504031303727361301e170d313630373330"
    "3031323335395a170d3236303733303031323335395a300e310c300a0603550403130372"
    "736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f82"
    "79303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a"
    "95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d44"
    "9a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a"
    "8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d130402300030"
    "0b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
    "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172"
    "f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1"
    "fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d40"
    "2dcc0cc8f8961229ac9187b42b4de100000f000084080400805a747c5d88fa9bd2e55ab0"
    "85a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653"
    "fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671"
    "459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5ae"
    "a20d53dfacd42f74f3140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb"
    "7fffee5454b78f0718";

/* {server} send handshake record: the same, protected (679 octets) */
static const char rfc8448_server_flight_record[] =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fc"
    "f40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd"
    "05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb"
    "355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c"
    "7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255"
    "cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70"
    "a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef819"
    "0579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f"
    "4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba"
    "9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f1"
    "00d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f2"
    "52107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052c"
    "f93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd"
    "2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6"
    "fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e"
    "2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038"
    "ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592"
    "c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3"
    "794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b";

/* {client} construct a Finished handshake message (36 octets) */
static const char rfc8448_client_finished[] =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

/* {client} send handshake record (58 octets) */
static const char rfc8448_client_finished_record[] =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38"
    "f80338ac98fc46deb384bd1caeacab6867d726c40546";

/* {client} send application_data record: 00 01 .. 31 (72 octets) */
static const char rfc8448_client_app_record[] =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8"
    "a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";

/* {server} send application_data record, after the NewSessionTicket (72 octets) */
static const char rfc8448_server_app_record[] =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf9"
    "7d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

#endif
