/* TLS 1.2 vectors made by tests/tls12_vectors.sh: one real handshake per
 * suite (openssl s_client -tls1_2 -keylogfile against openssl s_server),
 * with the randoms from the hellos, the master secret from the key log and
 * the client's first encrypted record: its Finished (type 20, length 12). */
#ifndef SNITRACE_TEST_TLS12_VECTORS_H
#define SNITRACE_TEST_TLS12_VECTORS_H

#include <stdint.h>

struct tls12_vector {
    const char *name;
    uint16_t suite;
    const char *client_random, *server_random, *master, *finished_record;
};

static const struct tls12_vector tls12_vectors[] = {
    {"aes128gcm", 0xc02b, "0ae270c47121095b4d0d9ffd6a593d9472c2dcdb2bdbaec0fdd4147ea524d2a0",
     "0a5392face1af0ee201fbda63375f16bba3f3609c51749124c8816ef7c0c5f3b",
     "3314e2ce6d57ebbc6279a98d43a5db4fe68eeb0d3cd2f1a809e332b62f2cac210d73dfcdfa6243a7cabbaab169ed6"
     "f30",
     "1603030028840f85809c76155361cfc8509463fa2671e42c2e464eb3ec02a5e11b368e0b75ce4cb3572b5eff56"},
    {"aes256gcm", 0xc02c, "11b2dc2410a8ad0bd5d3524f15c0d2cd34e86fa72868533b996713bd253b7d11",
     "4c7c3602e610d3c331f1217298c23cf72b65805130f26665c178526b4598a9dd",
     "5cefea767eea4b3c115eeaadc8b99bddae93575f7400c982579711450b64f492261a095a204a538318f955f86d296"
     "43b",
     "1603030028eabfe7807f2f58675fccc0eb484797754bb270b9350967094336ac867545ceb429e8301d028b2365"},
    {"chacha20", 0xcca9, "14b70689c87281a04cba87b3bd1dee641bae240f12c4278e128070cdaacb3203",
     "4d49b9ae0d76ff1648b6796885950cdfdd8853f67a472869a7cd5e03ee0c2450",
     "3db48dfe7333cad0a25423755ad277eb8a05e16c0e29a4d611ff8055b45433ebd3ed4ca86c22ac9fd2b8e0187d3f9"
     "cc8",
     "1603030020b9045b5999d5e77f05115ec87ccc0fae8f5af2b68b1918d4a7661e0277b95160"},
    {"aes128ccm", 0xc0ac, "cf2d6ff3ceb8e0c7c4fb0114df446d7a0b348144f2da798814d78aee028aa515",
     "49ab522b370db2a96157819cc9ffc1010b989f1132f1f9be50705b229aaa4353",
     "5a212ad967ef68cd3bf249880d215d8911dc7d24ef99b273646084b06f9bc8aa336a760f11701c9bf6495244a05af"
     "da6",
     "160303002800000000000000002a087637a2f33d9e3fd8ae3d986b1d2477c233ddd5ba0f771833dbfb6ef17076"},
    {"aes128ccm8", 0xc0ae, "922f75eafa44fc742e6e805a91c2a5fb12f9e3144cf5a31623969c705d2a2e8d",
     "38ae64ab802108d8208f9fa067a70684cc65c8c5c31077a4a6a9c6b2790bc7e2",
     "85233be42361cc0cc2004b57186edce6bbd8d215ffbdc750a033335425979c744dcc818d7f48c43192bb89ef8ff25"
     "4ff",
     "160303002000000000000000007d9b7df036537fb9c6a691aa31b9e5d40332ed53ce9abd0c"},
};

#endif
