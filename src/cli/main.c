#include <stdio.h>
int main(void) { puts("ecraudit " ECRAUDIT_VERSION); return 0; }
