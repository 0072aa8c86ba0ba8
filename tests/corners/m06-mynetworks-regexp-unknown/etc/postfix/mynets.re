/^unknown$/ x
