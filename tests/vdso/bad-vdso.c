/* A vDSO that breaks the rules (writable data): vdso-check must reject it. */
int counter;
int __vdso_time(void);
int __vdso_time(void)
{
	return ++counter;
}
