cat <<EOF
$(rm -rf /)
EOF
cat <<-'END'
	$(x)
	END
