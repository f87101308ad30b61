#ifndef TRADEWATCH_CCURL_H
#define TRADEWATCH_CCURL_H
/*
 * Non-variadic wrappers around libcurl's variadic option and info calls, which Swift
 * cannot call directly. One wrapper per argument type; no logic lives here.
 */
#include <curl/curl.h>
#include <sys/types.h>

typedef size_t (*tw_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*tw_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                    curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode tw_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_data_callback(CURL *handle, CURLoption option, tw_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tw_easy_setopt_progress_callback(CURL *handle, tw_progress_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode tw_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode tw_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode tw_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode tw_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode tw_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/* CURLMsg.data is a union; Swift sees it awkwardly, so read the result here. */
static inline CURLcode tw_multi_message_result(const CURLMsg *message) {
    return message->data.result;
}
#endif
