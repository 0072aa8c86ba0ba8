!/@example\.org$/ OK
