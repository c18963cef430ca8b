/* Result codes shared by every parser. */
#ifndef SNITRACE_RESULT_H
#define SNITRACE_RESULT_H

enum snt_result {
    SNT_OK = 0,         /* a complete message was parsed */
    SNT_NEED_MORE = 1,  /* framing layer: the message is not complete yet */
    SNT_MALFORMED = -1, /* the bytes claim to be this protocol but are broken */
    SNT_NOT_MINE = -2,  /* the bytes are not this protocol */
};

#endif
